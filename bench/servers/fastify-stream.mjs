// fastify peer for the streaming scenarios (same routes as jato-stream.mjs).
import Fastify from 'fastify';
import { Readable } from 'node:stream';

const CHUNK = Buffer.alloc(64 * 1024, 120);
const FRAME = `event: tick\ndata: ${'x'.repeat(64)}\n\n`;
const subscribers = new Set();

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
// bodies are not parsed: the upload handler reads the raw request stream
app.addContentTypeParser('*', (req, payload, done) => done(null));
app.get('/sse', (req, reply) => {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  res.flushHeaders();
  subscribers.add(res);
  res.on('close', () => subscribers.delete(res));
});
app.get('/publish', (req, reply) => {
  const text = FRAME.repeat(Number(req.query.k ?? 1));
  for (const s of subscribers) s.write(text);
  reply.send(String(subscribers.size));
});
app.get('/download', (req, reply) => {
  reply.type('application/octet-stream').send(Readable.from((function* () {
    for (let i = 0; i < 16; i++) yield CHUNK;
  })()));
});
app.post('/upload', async (req) => {
  let n = 0;
  for await (const c of req.raw) n += c.length;
  return String(n);
});
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
