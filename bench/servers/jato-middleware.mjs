// jato with three typical middlewares on `/` (request id, CORS, a no-op auth check), the scenario of
// issue 12, side by side with fastify-middleware.mjs and hono-middleware.mjs. GET / -> Hello world!
import { App, cors, requestId } from 'jato';

const app = new App({ logger: false });
app.use(
  requestId(),
  cors({ origin: ['https://app.example'] }),
  (req, next) => (req.header('x-deny') === undefined ? next() : 'denied'), // no-op auth check
);
app.get('/', () => 'Hello world!');
const server = await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1', handleSignals: false });
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
