import { describe, expect, it } from 'vitest';
import { systemChromium } from './browser.ts';

describe('the browser the console tests choose', () => {
  it('takes the Chromium that CHROMIUM_PATH names before any other', () => {
    expect(systemChromium({ CHROMIUM_PATH: '/opt/chromium/chrome' })).toBe('/opt/chromium/chrome');
  });

  it('uses no system Chromium when DSAR_TEST_BROWSER=bundled asks for the one inside the npm package', () => {
    expect(systemChromium({ CHROMIUM_PATH: '/opt/chromium/chrome', DSAR_TEST_BROWSER: 'bundled' })).toBeUndefined();
  });
});
