import type { App, ListeningApp } from '@jato/core';

/** A test server on an ephemeral port. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** 'native' or 'js'. */
  readonly transport: ListeningApp['transport'];
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1, port 0 (a free port), in this process. The app's `transport` option picks the
 * transport, so socket tests can run over both: `new App({ transport: 'js' })`.
 */
export async function startTestServer(app: App<object>): Promise<TestServer> {
  const handle = await app.listen({ port: 0, host: '127.0.0.1', workers: 1, handleSignals: false });
  return {
    url: `http://127.0.0.1:${handle.port}`,
    port: handle.port,
    transport: handle.transport,
    close: () => handle.close(),
  };
}
