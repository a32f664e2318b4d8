import { afterEach } from 'vitest';
import type { App } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/testing.js';
import { StreamClient } from './stream-client.js';

/** The server and raw clients of one streamed-response test; see {@link streamSuite}. */
export interface StreamSuite {
  /** Starts `app` on an ephemeral port as this test's server. */
  start(app: App): Promise<TestServer>;
  /** A {@link StreamClient} connected to this test's server. */
  connect(): Promise<StreamClient>;
}

/**
 * Registers an `afterEach` (call inside the `describe`) that destroys the clients and closes the
 * server each test opened through the returned {@link StreamSuite}.
 */
export function streamSuite(): StreamSuite {
  let server: TestServer | undefined;
  const clients: StreamClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server?.close();
    server = undefined;
  });
  return {
    async start(app) {
      server = await startTestServer(app);
      return server;
    },
    async connect() {
      const c = await StreamClient.connect(server!.port);
      clients.push(c);
      return c;
    },
  };
}
