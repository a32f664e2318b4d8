import net from 'node:net';

/** A port that is free on `host` right now (bound to port 0 and released). */
export function findFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Binds `host:port` exclusively (no SO_REUSEPORT) and releases it: rejects with an `EADDRINUSE`
 * error naming the `reusePort` option when another process holds the port (also one that holds it
 * with SO_REUSEPORT, such as another jato deployment's workers).
 */
export function probePortExclusive(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (cause: NodeJS.ErrnoException) => {
      if (cause.code !== 'EADDRINUSE') return reject(cause);
      const error = new Error(
        `listen EADDRINUSE: port ${port} on ${host} is already in use by another process; ` +
          'set reusePort: true to share it on purpose',
        { cause },
      ) as NodeJS.ErrnoException;
      error.code = 'EADDRINUSE';
      reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
