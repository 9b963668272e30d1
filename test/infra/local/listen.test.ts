/** How the runtime's own HTTP servers listen and stop, on real node:http servers. */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, get, type Server } from 'node:http';
import { listen, type Listening } from '../../../infra/local/listen.ts';

const started: Listening[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

function okServer(): Server {
  return createServer((_req, res) => res.end('ok'));
}

describe('listen', () => {
  it('picks a free port for port 0 and answers at the URL it gives', async () => {
    const s = await listen(okServer(), 0, '127.0.0.1');
    started.push(s);

    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(await (await fetch(s.url)).text()).toBe('ok');
  });

  it('rejects, rather than crashing, when the port is taken', async () => {
    const first = await listen(okServer(), 0, '127.0.0.1');
    started.push(first);

    await expect(listen(okServer(), first.port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('closes while a request is still waiting for its answer, ending that connection', async () => {
    let arrived!: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    // A handler that never answers, like an upstream that hangs.
    const server = createServer(() => arrived());
    const s = await listen(server, 0, '127.0.0.1');
    const req = get(s.url);
    const cut = new Promise<string>((resolve) => req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)));
    await waiting;

    await s.close();

    expect(server.listening).toBe(false);
    expect(await cut).toBe('ECONNRESET');
  });
});
