import { describe, expect, it } from 'vitest';
import { App, HttpError, Response, type Logger } from '../src/index.js';
import { inject, injectAll } from './support/testing.js';

function recorder(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  return { errors, error: (o: { err?: unknown }, message: string) => void errors.push([message, o.err]), warn: () => {}, info: () => {} };
}

class DbError extends Error {}
class DbTimeout extends DbError {}
class DbGone extends DbTimeout {}

describe('errors', () => {
  it('a throwing handler gives 500, is logged, and the connection goes on', async () => {
    const logger = recorder();
    const app = new App({ logger });
    app.get('/boom', () => {
      throw new Error('kaput');
    });
    app.get('/ok', () => 'ok');
    const all = await injectAll(app, 'GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(all.map((r) => [r.status, r.text()])).toEqual([[500, 'Internal Server Error'], [200, 'ok']]);
    expect(logger.errors.length).toBe(1);
    expect(logger.errors[0]![0]).toBe('jato: GET /boom failed');
    expect((logger.errors[0]![1] as Error).message).toBe('kaput');
  });

  it('a rejecting async handler gives 500', async () => {
    const app = new App({ logger: false });
    app.get('/', async () => {
      await Promise.resolve();
      throw new TypeError('late');
    });
    const res = await inject(app, '/');
    expect([res.status, res.text()]).toEqual([500, 'Internal Server Error']);
  });

  it('development mode puts the stack in the body', async () => {
    const app = new App({ logger: false, development: true });
    app.get('/', () => {
      throw new Error('visible');
    });
    const res = await inject(app, '/');
    expect(res.status).toBe(500);
    expect(res.text()).toMatch(/^Internal Server Error\n\nError: visible\n\s+at /);
  });

  it('HttpError answers its status and message', async () => {
    const logger = recorder();
    const app = new App({ logger });
    app.get('/401', () => {
      throw new HttpError(401, 'Log in first', { headers: { 'www-authenticate': 'Bearer' } });
    });
    app.get('/503', async () => {
      throw new HttpError(503);
    });
    const a = await inject(app, '/401');
    expect([a.status, a.text(), a.headers['www-authenticate']]).toEqual([401, 'Log in first', 'Bearer']);
    const b = await inject(app, '/503');
    expect([b.status, b.text()]).toEqual([503, 'Service Unavailable']);
    expect(logger.errors.length).toBe(1); // 5xx only
    expect(() => new HttpError(200)).toThrow(RangeError);
    expect(() => new HttpError(499)).toThrow(RangeError);
  });

  it('onError matches by class: the nearest class in the prototype chain wins', async () => {
    const app = new App({ logger: false });
    app.onError(DbError, (err) => new Response(`db: ${err.message}`, { status: 503 }));
    app.onError(DbTimeout, async (err) => new Response(`timeout: ${err.message}`, { status: 504 }));
    app.onError(RangeError, () => ({ range: true }));
    app.get('/db', () => {
      throw new DbError('down');
    });
    app.get('/timeout', async () => {
      throw new DbTimeout('slow');
    });
    app.get('/gone', () => {
      throw new DbGone('sub of timeout');
    });
    app.get('/range', () => {
      throw new RangeError('x');
    });
    app.get('/other', () => {
      throw new Error('plain');
    });
    const texts = await Promise.all(['/db', '/timeout', '/gone', '/range', '/other'].map(async (u) => {
      const r = await inject(app, u);
      return [r.status, r.text()];
    }));
    expect(texts).toEqual([
      [503, 'db: down'], [504, 'timeout: slow'], [504, 'timeout: sub of timeout'], [200, '{"range":true}'], [500, 'Internal Server Error'],
    ]);
  });

  it('onError(Error) catches everything; a throwing error handler falls back to 500', async () => {
    const logger = recorder();
    const app = new App({ logger });
    app.onError(Error, (err, req) => new Response(`caught ${err.message} on ${req.path}`, { status: 500 }));
    app.onError(SyntaxError, () => {
      throw new Error('handler broke');
    });
    app.get('/a', () => {
      throw new TypeError('t');
    });
    app.get('/b', () => {
      throw new SyntaxError('s');
    });
    expect((await inject(app, '/a')).text()).toBe('caught t on /a');
    const b = await inject(app, '/b');
    expect([b.status, b.text()]).toEqual([500, 'Internal Server Error']);
    expect((logger.errors.at(-1)![1] as Error).message).toBe('handler broke');
    // the original error survives as the cause of the one the handler threw
    expect(((logger.errors.at(-1)![1] as Error).cause as Error).message).toBe('s');
    expect(() => app.onError('nope' as never, () => null)).toThrow(TypeError);
  });

  it('a thrown non-Error value is a 500 too', async () => {
    const app = new App({ logger: false, development: true });
    app.get('/', () => {
      throw 'a string'; // eslint-disable-line no-throw-literal
    });
    const res = await inject(app, '/');
    expect([res.status, res.text()]).toEqual([500, 'Internal Server Error\n\na string']);
  });

  it('404 and 405 by default, with Allow', async () => {
    const app = new App();
    app.get('/item', () => 'get');
    app.post('/item', () => 'post');
    const nf = await inject(app, '/nothing');
    expect([nf.status, nf.text(), nf.headers['content-type']]).toEqual([404, 'Not Found', 'text/plain; charset=utf-8']);
    const na = await inject(app, { method: 'DELETE', url: '/item' });
    expect([na.status, na.headers['allow']]).toEqual([405, 'GET, HEAD, POST']);
  });

  it('custom notFound and methodNotAllowed', async () => {
    const app = new App();
    app.get('/item', () => 'get');
    app.notFound((req) => new Response(`no ${req.path}`, { status: 404 }));
    app.methodNotAllowed((req, allowed) => ({ method: req.method, allowed }));
    const nf = await inject(app, '/zzz');
    expect([nf.status, nf.text()]).toEqual([404, 'no /zzz']);
    const na = await inject(app, { method: 'PUT', url: '/item' });
    expect([na.status, na.json()]).toEqual([200, { method: 'PUT', allowed: ['GET', 'HEAD'] }]);
    app.methodNotAllowed(async () => new Response('nope', { status: 405 }));
    const na2 = await inject(app, { method: 'PUT', url: '/item' });
    expect([na2.status, na2.text(), na2.headers['allow']]).toEqual([405, 'nope', 'GET, HEAD']);
  });

  it('a param that does not decode is a 400', async () => {
    const app = new App();
    app.get('/p/:id', (req) => req.params.id);
    const res = await inject(app, '/p/%E0%A4%A');
    expect(res.status).toBe(400);
    expect((await inject(app, '/p/%C3%28')).status).toBe(400);
    expect((await inject(app, '/p/ok%20')).text()).toBe('ok ');
  });
});
