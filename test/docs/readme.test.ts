/**
 * The README's curl walkthrough, run as written: its shell block is taken from the README, and bash runs
 * it against the real embedded runtime on ephemeral ports. The walkthrough finds the runtime the way a
 * reader's does, through `.dsar/runtime.json` in the folder it runs in, so this test fails as soon as the
 * README drifts from the product (a route, a mail, a status, the file it reads).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../support/runtime.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The first ```sh block after the heading, exactly as a reader copies it. */
function shellBlockAfter(markdown: string, heading: string): string {
  const at = markdown.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no "${heading}" section`);
  const block = /```sh\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  if (!block) throw new Error(`README's "${heading}" section has no sh block`);
  return block[1]!;
}

const walkthrough = shellBlockAfter(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## Walk through an access request with curl');

let walkDir: string;
let rt: TestRuntime;

beforeAll(async () => {
  // The reader's folder: the runtime writes its runtime.json into .dsar here, as `npm start` does in the repository.
  walkDir = mkdtempSync(join(tmpdir(), 'dsar-readme-'));
  rt = await startTestRuntime({ keepDir: join(walkDir, '.dsar') });
});
afterAll(async () => {
  await rt?.cleanup();
  if (walkDir) rmSync(walkDir, { recursive: true, force: true });
});

describe('the README', () => {
  it('walks an access request from filing to the downloaded package with the commands it shows', async () => {
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', walkthrough], {
      cwd: walkDir,
      env: {
        ...process.env,
        // The walkthrough's `node` is this Node; its require('yauzl') finds the project's packages.
        PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
        NODE_PATH: join(ROOT, 'node_modules'),
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.split('\n');
    const id = lines[0]!;
    expect(id).toMatch(/^dsar_[a-z0-9]+$/);
    // Steps 5 and 6 echo the status each waited for (after the JSON of step 4, which ends without a newline).
    expect(stdout).toMatch(/awaiting_release\ncompleted\n/);
    // The last command lists the package.
    expect(lines).toEqual(expect.arrayContaining(['report.html', 'data.json', 'schema.json']));
    const request = await rt.api('GET', `/v1/admin/requests/${id}`, { token: rt.staffToken });
    expect(request.body.request).toMatchObject({ type: 'access', status: 'completed' });
  }, 180_000);
});
