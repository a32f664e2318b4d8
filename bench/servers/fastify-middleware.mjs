// fastify with the same three middlewares as jato-middleware.mjs (request id, CORS, a no-op auth
// check) as onRequest hooks. GET / -> Hello world! (text/plain).
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const allowed = new Set(['https://app.example']);
const app = Fastify({
  logger: false,
  keepAliveTimeout: 60_000,
  genReqId: (req) => {
    const id = req.headers['x-request-id'];
    return typeof id === 'string' && /^[A-Za-z0-9._:@/+=-]{1,200}$/.test(id) ? id : randomUUID();
  },
});
app.addHook('onRequest', (request, reply, done) => {
  reply.header('x-request-id', request.id);
  done();
});
app.addHook('onRequest', (request, reply, done) => {
  reply.header('vary', 'Origin');
  const origin = request.headers.origin;
  if (origin !== undefined && allowed.has(origin)) reply.header('access-control-allow-origin', origin);
  done();
});
app.addHook('onRequest', (request, reply, done) => {
  if (request.headers['x-deny'] !== undefined) reply.send('denied');
  else done();
});
app.get('/', (request, reply) => {
  reply.type('text/plain').send('Hello world!');
});
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
