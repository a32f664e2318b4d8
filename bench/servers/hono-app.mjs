// The Hono app of the fetch-handler scenario (issue 15), the same on every server: GET / text,
// GET /json, GET /user/:id. Each *-hono server file serves it with its runtime's way of serving a
// fetch handler.
import { Hono } from 'hono';

export function honoApp() {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello world!'));
  app.get('/json', (c) => c.json({ message: 'Hello, World!' }));
  app.get('/user/:id', (c) => c.text(`user ${c.req.param('id')}`));
  return app;
}
