/**
 * The `dsar` command: dispatches to one sub-command. Each sub-command is a function from its argv to
 * {exitCode, stdout, stderr}, so it is tested without spawning a process; only `main` touches the
 * process. Adding a sub-command is one line in COMMANDS.
 */
import { runDeadline } from './deadline.ts';
import { runEscalate } from './escalate.ts';
import { runSmoke } from './smoke.ts';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CliCommand {
  /** One line for the usage listing. */
  summary: string;
  run: (argv: readonly string[]) => CliResult | Promise<CliResult>;
}

export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  deadline: { summary: 'compute the due dates of a request for a jurisdiction', run: runDeadline },
  escalate: { summary: 'run the escalation job once and print a JSON summary', run: runEscalate },
  smoke: { summary: 'check a deployed stack (or --local runtime) end to end: request, bounce, complaint, alarm', run: runSmoke },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: dsar <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "dsar <command> --help" for a command's options.\n`;
}

export async function runCli(argv: readonly string[]): Promise<CliResult> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') return { exitCode: 0, stdout: usage(), stderr: '' };
  if (name === undefined) return { exitCode: 2, stdout: '', stderr: `dsar: missing command\n\n${usage()}` };
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return { exitCode: 2, stdout: '', stderr: `dsar: unknown command "${name}"\n\n${usage()}` };
  return command.run(rest);
}

/** Entry point of bin/dsar.js: runs the command and reports through the process. */
export async function main(argv: readonly string[]): Promise<void> {
  let result: CliResult;
  try {
    result = await runCli(argv);
  } catch (err) {
    // A bug, not bad input: show the stack, exit 1 (2 is kept for usage errors).
    result = { exitCode: 1, stdout: '', stderr: `dsar: ${(err as Error).stack ?? String(err)}\n` };
  }
  if (result.stdout) process.stdout.write(result.stdout);
  if (result.stderr) process.stderr.write(result.stderr);
  // exitCode rather than exit(): lets piped stdout drain before the process ends.
  process.exitCode = result.exitCode;
}
