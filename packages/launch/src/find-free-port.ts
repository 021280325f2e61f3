import { createServer } from 'node:net';

/**
 * Asks the kernel for a TCP port that is free on `host` right now.
 *
 * Another process may take the port before the caller binds it, so servers
 * started on it should retry with a new port when binding fails.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error(`could not read the port bound on ${host}`));
        else resolve(port);
      });
    });
  });
}
