import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runDeadline } from '../../../infra/cli/deadline.ts';
import { runCli } from '../../../infra/cli/main.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The exact JSON the example must print (hand-checked in the deadline table). */
const OSLO_EXAMPLE = {
  jurisdiction: 'GDPR',
  country: 'NO',
  timezone: 'Europe/Oslo',
  receivedDate: '2026-04-01',
  dueDate: '2026-05-04',
  extendedDueDate: '2026-07-01',
  acknowledgeBy: null,
};
const OSLO_ARGS = ['--jurisdiction', 'GDPR', '--country', 'NO', '--received', '2026-03-31T22:30:00Z'];

describe('dsar deadline', () => {
  it('prints one JSON object with the keys in the documented order', () => {
    const result = runDeadline(OSLO_ARGS);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${JSON.stringify(OSLO_EXAMPLE)}\n`);
    expect(Object.keys(JSON.parse(result.stdout))).toEqual([
      'jurisdiction', 'country', 'timezone', 'receivedDate', 'dueDate', 'extendedDueDate', 'acknowledgeBy',
    ]);
  });

  it('passes the time zone through', () => {
    const result = runDeadline([...OSLO_ARGS, '--timezone', 'UTC']);
    expect(JSON.parse(result.stdout)).toMatchObject({ timezone: 'UTC', receivedDate: '2026-03-31', dueDate: '2026-04-30' });
  });

  it('implies the country for CCPA and prints the acknowledgement date', () => {
    const result = runDeadline(['--jurisdiction', 'CCPA', '--received', '2026-11-20T18:00:00Z']);
    expect(JSON.parse(result.stdout)).toEqual({
      jurisdiction: 'CCPA',
      country: 'US',
      timezone: 'America/Los_Angeles',
      receivedDate: '2026-11-20',
      dueDate: '2027-01-04',
      extendedDueDate: '2027-02-18',
      acknowledgeBy: '2026-12-08',
    });
  });

  it('prints usage for --help and exits 0', () => {
    const result = runDeadline(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: dsar deadline/);
  });

  const bad: Array<[string, string[], RegExp]> = [
    ['an unknown jurisdiction', ['--jurisdiction', 'HIPAA', '--received', '2026-03-31T22:30:00Z'], /unknown jurisdiction "HIPAA"/],
    ['a bad date', ['--jurisdiction', 'GDPR', '--country', 'NO', '--received', '2026-02-30T10:00:00Z'], /no such day/],
    ['a missing --received', ['--jurisdiction', 'GDPR', '--country', 'NO'], /missing --received/],
    ['no flags at all', [], /missing --jurisdiction and --received/],
    ['a missing country for GDPR', ['--jurisdiction', 'GDPR', '--received', '2026-03-31T22:30:00Z'], /needs the controller's country/],
    ['a country outside the law', ['--jurisdiction', 'GDPR', '--country', 'US', '--received', '2026-03-31T22:30:00Z'], /does not fit GDPR/],
    ['an unknown time zone', [...OSLO_ARGS, '--timezone', 'Europe/Atlantis'], /unknown time zone/],
    ['an unknown option', [...OSLO_ARGS, '--bogus'], /Unknown option '--bogus'/],
    ['a flag without its value', ['--jurisdiction'], /argument missing/],
    ['a stray positional argument', [...OSLO_ARGS, 'extra'], /Unexpected argument 'extra'/],
  ];

  it.each(bad)('rejects %s with a message on stderr and exit code 2', (_name, argv, message) => {
    const result = runDeadline(argv);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});

describe('dsar dispatcher', () => {
  it('runs the deadline sub-command', async () => {
    const result = await runCli(['deadline', ...OSLO_ARGS]);
    expect(JSON.parse(result.stdout)).toEqual(OSLO_EXAMPLE);
  });

  it('prints usage with exit code 2 for an unknown sub-command', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    expect(result.stderr).toMatch(/deadline/);
  });

  it('prints usage with exit code 2 without a sub-command, and 0 for --help', async () => {
    expect((await runCli([])).exitCode).toBe(2);
    const help = await runCli(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: dsar <command>/);
  });
});

describe('the dsar executable', () => {
  it('runs bin/dsar.js as a process and prints only the JSON on stdout', async () => {
    const { stdout } = await run(process.execPath, ['bin/dsar.js', 'deadline', ...OSLO_ARGS], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(OSLO_EXAMPLE);
  });

  it('exits 2 with the message on stderr for bad input', async () => {
    const failure = await run(process.execPath, ['bin/dsar.js', 'deadline', '--jurisdiction', 'HIPAA', '--received', 'x'], {
      cwd: root,
    }).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 2, stdout: '' });
    expect((failure as { stderr: string }).stderr).toMatch(/unknown jurisdiction "HIPAA"/);
  });

  it('is found by npx in the project, as the issue documents it', async () => {
    // --no: never ask the registry; npm exec must find the root package's own bin.
    const { stdout } = await run('npx', ['--no', 'dsar', 'deadline', ...OSLO_ARGS], { cwd: root });
    expect(JSON.parse(stdout)).toEqual(OSLO_EXAMPLE);
  });
});
