// A Hono app using what real Hono apps use: routing and params, middleware, c.text/c.json/c.html,
// headers and cookies, the streaming helper, a validator reading a JSON body, errors and 404s.
import { Hono } from 'hono';
import { stream, streamText } from 'hono/streaming';
import { validator } from 'hono/validator';

export function honoApp(): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    c.header('x-mw', 'outer');
  });
  app.use('/admin/*', async (c, next) => {
    if (c.req.header('authorization') !== 'Bearer ok') return c.text('Unauthorized', 401);
    await next();
  });
  app.get('/', (c) => c.text('Hello Hono!'));
  app.get('/json', (c) => c.json({ message: 'Hello, World!', n: 1 }));
  app.get('/user/:id', (c) => c.text(`user ${c.req.param('id')}`));
  app.get('/posts/:post/comments/:comment', (c) => c.json(c.req.param()));
  app.get('/query', (c) => c.json({ q: c.req.query('q') ?? null, all: c.req.queries('tag') ?? [] }));
  app.get('/headers', (c) => c.json({ ua: c.req.header('user-agent') ?? null, x: c.req.header('x-test') ?? null }));
  app.get('/html', (c) => c.html('<h1>héllo</h1>'));
  app.get('/cookie', (c) => {
    c.header('set-cookie', 'a=1; Path=/', { append: true });
    c.header('set-cookie', 'b=2; HttpOnly', { append: true });
    return c.text('cookies');
  });
  app.get('/status/:code', (c) => c.text('custom', Number(c.req.param('code')) as 200));
  app.get('/redirect', (c) => c.redirect('/json'));
  app.get('/empty', (c) => c.body(null, 204));
  app.get('/bytes', (c) => c.body(new Uint8Array([0, 1, 2, 250, 255])));
  app.get('/admin/panel', (c) => c.text('panel'));
  app.get('/throw', () => {
    throw new Error('boom');
  });
  app.get('/stream', (c) =>
    streamText(c, async (s) => {
      for (let i = 0; i < 5; i++) await s.write(`line ${i}\n`);
    }),
  );
  app.get('/bin-stream', (c) =>
    stream(c, async (s) => {
      await s.write(new Uint8Array([1, 2, 3]));
      await s.write(new Uint8Array([4, 5]));
    }),
  );
  app.post(
    '/items',
    validator('json', (value, c) => {
      const v = value as { name?: unknown; qty?: unknown };
      if (typeof v?.name !== 'string' || typeof v.qty !== 'number') return c.json({ error: 'invalid item' }, 400);
      return { name: v.name, qty: v.qty };
    }),
    (c) => c.json({ created: c.req.valid('json') }, 201),
  );
  app.post('/echo', async (c) => c.text(await c.req.text()));
  app.put('/echo', async (c) => c.body(await c.req.arrayBuffer()));
  app.delete('/user/:id', (c) => c.json({ deleted: c.req.param('id') }));
  app.onError((err, c) => c.text(`error: ${err.message}`, 500));
  app.notFound((c) => c.text('nothing here', 404));
  return app;
}
