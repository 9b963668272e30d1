import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

let rt: TestRuntime;
beforeAll(async () => {
  rt = await startTestRuntime({ crowd: 5 });
}, 60_000);
afterAll(async () => rt?.cleanup());

describe('the embedded runtime', () => {
  it('serves docs/openapi.yaml at /v1/openapi.yaml as YAML, as it stands in the repository', async () => {
    const res = await fetch(`${rt.apiUrl}/v1/openapi.yaml`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/yaml; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await res.text();
    expect(text).toBe(readFileSync(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8'));
    expect((parse(text) as { openapi: string }).openapi).toMatch(/^3\.1\./);
  });

  it('answers nothing but GET and HEAD there', async () => {
    const head = await fetch(`${rt.apiUrl}/v1/openapi.yaml`, { method: 'HEAD' });
    const post = await fetch(`${rt.apiUrl}/v1/openapi.yaml`, { method: 'POST' });

    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(post.status).toBe(404);
  });
});
