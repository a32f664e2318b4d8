// hono with the same three middlewares as jato-middleware.mjs: hono's own requestId and cors, and a
// no-op auth check. GET / -> Hello world! (text/plain).
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { serve } from '@hono/node-server';

const app = new Hono();
app.use(requestId(), cors({ origin: ['https://app.example'] }), async (c, next) => {
  if (c.req.header('x-deny') !== undefined) return c.text('denied');
  await next();
});
app.get('/', (c) => c.text('Hello world!'));
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
