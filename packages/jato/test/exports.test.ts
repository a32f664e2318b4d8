import { describe, expect, it } from 'vitest';
import * as core from '@jato/core';
import * as jato from '../src/index.js';
import * as testing from '../src/testing.js';

describe('jato', () => {
  it('re-exports every export of @jato/core', () => {
    expect(Object.keys(jato).sort()).toEqual(Object.keys(core).sort());
    expect(jato.App).toBe(core.App);
    expect(jato.Response).toBe(core.Response);
    expect([jato.serveStatic, jato.file]).toEqual([core.serveStatic, core.file]);
  });

  it('serves through the testing subpath', async () => {
    const app = new jato.App();
    app.get('/', () => 'Hello world!');
    const res = await testing.inject(app, '/');
    expect([res.status, res.text()]).toEqual([200, 'Hello world!']);
    expect(typeof testing.startTestServer).toBe('function');
    expect(typeof testing.rawRequest).toBe('function');
  });
});
