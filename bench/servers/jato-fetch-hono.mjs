// The Hono app of hono-app.mjs on jato's serve({ fetch }) (native transport): the import of `serve`
// is the only difference from hono-node-app.mjs. PORT and HOST from the environment.
import { serve } from 'jato';
import { honoApp } from './hono-app.mjs';

const server = serve({
  fetch: honoApp().fetch, port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1',
  logger: false, handleSignals: false,
});
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
