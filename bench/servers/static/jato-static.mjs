// jato peer for the static-file bench: serveStatic over STATIC_DIR at /static/*. PORT from the environment.
import { App, serveStatic } from 'jato';

const app = new App({ logger: false });
app.get('/static/*', serveStatic(process.env.STATIC_DIR ?? '.'));
await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1', workers: 1 });
