/**
 * The product database's process (started by `startPostgres` in postgres.ts when a client connects):
 * PGlite and its socket server on an ephemeral loopback port. Its first stdin line says where the data
 * folder is and what to seed a new one with; it prints `{"port":n}` once it serves. A `stop` line (the
 * runtime found it idle, or stops) closes PGlite and exits. If its stdin ends without one, the runtime
 * went away: it exits at once, as PGlite did when it ran inside the runtime, so that the runtime's next
 * start does not find it still writing the folder (Postgres recovers from its WAL as after a crash).
 */
import { servePostgres } from './postgres.ts';

let input = '';
let serving: Promise<{ close(): Promise<void> }> | undefined;

let stopping = false;
process.stdin.setEncoding('utf8');

function stop(): void {
  if (stopping) return;
  stopping = true;
  void (serving ?? Promise.resolve(undefined))
    .then((server) => server?.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
}

process.stdin.on('data', (d: string) => {
  input += d;
  if (serving) {
    if (/\nstop\n/.test(input)) stop();
    return;
  }
  const end = input.indexOf('\n');
  if (end === -1) return;
  const start = JSON.parse(input.slice(0, end)) as { dataDir: string; rows: Parameters<typeof servePostgres>[0]['rows'] };
  serving = servePostgres({ host: '127.0.0.1', port: 0, dataDir: start.dataDir, rows: start.rows }).then((server) => {
    process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
    return server;
  });
  serving.catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
  // Told to stop in the same breath (the runtime stopping while this starts).
  if (/\nstop\n/.test(input)) stop();
});
process.stdin.on('end', () => {
  if (!stopping) process.exit(1);
});
