import { describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { inject } from './support/testing.js';

describe('smoke', () => {
  it('serves a string', async () => {
    const app = new App();
    app.get('/', () => 'Hello world!');
    const res = await inject(app, '/');
    expect(res.status).toBe(200);
    expect(res.text()).toBe('Hello world!');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});
