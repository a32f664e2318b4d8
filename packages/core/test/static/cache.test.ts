import { renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, serveStatic } from '../../src/index.js';
import { inject } from '../support/testing.js';
import { MTIME, makeFixture, type StaticFixture } from './fixture.js';

let fx: StaticFixture;
beforeAll(() => {
  fx = makeFixture();
});
afterAll(() => fx.cleanup());

describe('the small-file cache of serveStatic', () => {
  it('serves the same answers from memory, and never a changed, replaced or removed file', async () => {
    const app = new App({ logger: false });
    app.get('/c/*', serveStatic(fx.root));
    const path = join(fx.root, 'cached.txt');
    writeFileSync(path, 'version 1');
    const first = await inject(app, '/c/cached.txt');
    const second = await inject(app, '/c/cached.txt');
    expect(second.text()).toBe('version 1');
    expect(second.rawHeaders.filter(([n]) => n.toLowerCase() !== 'date')).toEqual(first.rawHeaders.filter(([n]) => n.toLowerCase() !== 'date'));
    // conditionals and ranges from memory
    expect((await inject(app, { url: '/c/cached.txt', headers: { 'if-none-match': first.headers.etag! } })).status).toBe(304);
    expect((await inject(app, { url: '/c/cached.txt', headers: { 'if-match': '"x"' } })).status).toBe(412);
    const part = await inject(app, { url: '/c/cached.txt', headers: { range: 'bytes=-1' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 8-8/9');
    expect(part.text()).toBe('1');
    expect((await inject(app, { url: '/c/cached.txt', headers: { range: 'bytes=9-' } })).status).toBe(416);
    const multi = await inject(app, { url: '/c/cached.txt', headers: { range: 'bytes=0-0,2-2' } });
    expect(multi.headers['content-type']).toMatch(/^multipart\/byteranges/);
    // rewritten in place, same size, mtime put back: the ctime still tells
    writeFileSync(path, 'version 2');
    utimesSync(path, MTIME, MTIME);
    expect((await inject(app, '/c/cached.txt')).text()).toBe('version 2');
    // replaced by rename
    writeFileSync(`${path}.tmp`, 'version 3!');
    renameSync(`${path}.tmp`, path);
    expect((await inject(app, '/c/cached.txt')).text()).toBe('version 3!');
    // removed
    rmSync(path);
    expect((await inject(app, '/c/cached.txt')).status).toBe(404);
  });

  it('a directory index is cached under its slash path; the path without the slash still redirects', async () => {
    const app = new App({ logger: false });
    app.get('/c/*', serveStatic(fx.root));
    expect((await inject(app, '/c/docs/')).text()).toBe('<h1>docs</h1>');
    expect((await inject(app, '/c/docs/')).text()).toBe('<h1>docs</h1>');
    expect((await inject(app, '/c/docs')).status).toBe(301);
  });
});
