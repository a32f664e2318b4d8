// @fastify/static peer for the static-file bench: STATIC_DIR under /static/. PORT from the environment.
import Fastify from 'fastify';
import fastifyStatic from '@fastify/static';

const app = Fastify({ logger: false });
await app.register(fastifyStatic, { root: process.env.STATIC_DIR ?? '.', prefix: '/static/' });
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1' });
