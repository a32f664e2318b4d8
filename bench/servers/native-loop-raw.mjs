// jato native-loop (raw): the transport alone, no framework. Every request -> 200 `Hello world!`
// (text/plain) with Date and Server headers. PORT/HOST from the environment; SIGTERM closes gracefully.
import { createServer } from '@jato/native-loop';

const body = 'Hello world!';
const server = createServer(
  { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8080), transport: 'native' },
  {
    onBatch(batch, out) {
      // one head per batch: the Date value changes at most once a second
      const head = `HTTP/1.1 200 OK\r\nServer: jato\r\nDate: ${server.dateHeader()}\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n`;
      for (let i = 0; i < batch.count; i++) out.respond(batch.conn(i), batch.seq(i), head, body, false);
    },
  },
);
await server.listen();
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
