// Metrics reports the transport's connections (open gauge, accepted counter) and bytes, counted by
// native-loop's stats() on both transports, over real sockets.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { App, Metrics } from '../src/index.js';
import { inject, startTestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

/** A keep-alive connection that has had one request answered. */
function openConnection(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('GET /hello HTTP/1.1\r\nHost: t\r\n\r\n'));
    let got = '';
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.endsWith('hi')) resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** One scrape on a fresh connection that asks to be closed after it. */
function scrape(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'));
    let got = '';
    socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => {
      const values: Record<string, number> = {};
      for (const line of got.split('\r\n\r\n')[1]!.split('\n')) {
        const m = /^(jato_(?:connections_\w+|transport_\w+)) (\d+)$/.exec(line);
        if (m !== null) values[m[1]!] = Number(m[2]);
      }
      resolve(values);
    });
  });
}

describe.each(TRANSPORTS)('Metrics: connections (%s transport)', (transport) => {
  it('exports open connections and the accepted total from the transport', async () => {
    const metrics = new Metrics();
    const app = new App({ transport, logger: false });
    app.use(metrics.middleware());
    app.get('/hello', () => 'hi');
    app.get('/metrics', metrics.handler());
    const server = await startTestServer(app);
    const sockets: net.Socket[] = [];
    try {
      sockets.push(await openConnection(server.port), await openConnection(server.port));
      const first = await scrape(server.port);
      expect([first['jato_connections_open'], first['jato_connections_accepted_total']]).toEqual([3, 3]); // the scrape's own included
      expect(first['jato_transport_bytes_read_total']).toBeGreaterThan(0);
      expect(first['jato_transport_bytes_written_total']).toBeGreaterThan(0);
      for (const s of sockets.splice(0)) s.destroy();
      // the server notices the closes in its own time: scrape until it has (each scrape is a new connection)
      let scrapes = 1;
      let last = first;
      const deadline = Date.now() + 20_000;
      while (last['jato_connections_open'] !== 1) {
        expect(Date.now()).toBeLessThan(deadline);
        last = await scrape(server.port);
        scrapes++;
      }
      expect(last['jato_connections_accepted_total']).toBe(2 + scrapes);
    } finally {
      for (const s of sockets) s.destroy();
      await server.close();
    }
  });
});

describe('Metrics without a transport', () => {
  it('leaves the connection metrics out under inject', async () => {
    const metrics = new Metrics();
    const app = new App({ logger: false });
    app.get('/metrics', metrics.handler());
    const text = (await inject(app, '/metrics')).text();
    expect(text).toContain('jato_http_requests_in_flight 0');
    expect(text).not.toContain('connections_open');
  });
});
