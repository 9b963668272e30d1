/** The CloudFront Function that serves the console's and the request page's HTML shells, run as CloudFront would. */
import { describe, expect, it } from 'vitest';
import { PAGE_REWRITE } from '../../../infra/stack/console-site.ts';

const handler = new Function(`${PAGE_REWRITE}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
const served = (uri: string) => handler({ request: { uri } }).uri;

describe('the page rewrite function', () => {
  it('answers every console page with the console shell', () => {
    for (const uri of ['/console', '/console/', '/console/requests/dsar_abc12345', '/console/metrics', '/console/callback']) {
      expect(served(uri), uri).toBe('/console/index.html');
    }
  });

  it('answers every public page with the request shell', () => {
    for (const uri of ['/request', '/request/', '/request/status', '/request/download', '/request/verify']) expect(served(uri), uri).toBe('/request/index.html');
  });

  it('leaves files, the API and other paths alone', () => {
    for (const uri of ['/console/config.json', '/assets/console.js', '/assets/style.css', '/v1/requests', '/', '/consoles', '/requests/x']) {
      expect(served(uri), uri).toBe(uri);
    }
  });
});
