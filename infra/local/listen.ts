/** Starting and stopping one of the runtime's own HTTP servers. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on `host`:`port` (port 0: an ephemeral one) and says which port it got. A failure to listen
 * (the port is taken) rejects instead of crashing the process. `close` also ends idle keep-alive
 * connections, so a stop does not wait on a client that never hangs up.
 */
export async function listen(server: Server, port: number, host: string): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
