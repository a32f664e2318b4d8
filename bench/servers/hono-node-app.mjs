// The Hono app of hono-app.mjs on @hono/node-server. PORT and HOST from the environment.
import { serve } from '@hono/node-server';
import { honoApp } from './hono-app.mjs';

const server = serve({ fetch: honoApp().fetch, port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => server.close(() => process.exit(0)));
