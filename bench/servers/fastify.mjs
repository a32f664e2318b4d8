// fastify peer: GET / -> Hello world! (text/plain). PORT from the environment.
import Fastify from 'fastify';

const app = Fastify({ logger: false, keepAliveTimeout: 60_000 });
app.get('/', (request, reply) => {
  reply.type('text/plain').send('Hello world!');
});
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
