import { App, Response, type AppOptions } from 'jato';

/**
 * The hello app: the routes of the seed benchmark and its variants.
 * - `GET /` → `Hello world!` (text/plain)
 * - `GET /json` → `{"message":"Hello, World!"}`
 * - `POST /echo` → the request body, byte for byte, with the same content type
 * - `GET /params/:id` → the percent-decoded id (400 when it does not decode)
 * - `GET /async` → `Hello world!` from an async handler that awaits
 * - anything else → 404
 */
export function createHelloApp(options: AppOptions = {}): App {
  const app = new App(options);
  app.get('/', () => 'Hello world!');
  app.get('/json', () => ({ message: 'Hello, World!' }));
  app.post('/echo', async (req) => {
    const body = await req.bytes();
    return new Response(body, { headers: { 'content-type': req.header('content-type') ?? 'application/octet-stream' } });
  });
  app.get('/params/:id', (req) => req.params.id);
  app.get('/async', async () => {
    await Promise.resolve();
    return 'Hello world!';
  });
  return app;
}
