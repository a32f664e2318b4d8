import { afterEach, describe, expect, test } from 'vitest';
import { holdSlow } from './helpers/held-responses.js';
import { GET } from './helpers/raw-client.js';
import { TRANSPORTS, echoHandlers, harness } from './helpers/transports.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe.each(TRANSPORTS)('framing ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('Content-Length and chunked bodies arrive whole when the bytes are split at every boundary', async () => {
    const { port } = await h.start(echoHandlers);
    const wire =
      'POST /cl HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world' +
      'POST /ch HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nT: v\r\n\r\n' +
      GET('/end');
    for (let cut = 1; cut < wire.length; cut++) {
      const c = await h.connect(port);
      await c.write(wire.slice(0, cut));
      await c.write(wire.slice(cut));
      const res = await c.responses(3);
      expect(res.map((r) => text(r.body)), `split at ${cut}`).toEqual([
        'POST /cl hello world',
        'POST /ch hello world',
        'GET /end ',
      ]);
      c.destroy();
    }
  });

  test('a body trickled one byte per write arrives whole', async () => {
    const { port } = await h.start(echoHandlers);
    const c = await h.connect(port);
    const wire = 'POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n';
    for (const ch of wire) await c.write(ch);
    const [r] = await c.responses(1);
    expect(text(r!.body)).toBe('POST /t abcde');
  });

  test('a chunked body of many 1-byte chunks over many writes arrives whole within the body limit', async () => {
    const { port } = await h.start(echoHandlers, { limits: { maxBodyBytes: 5000 } });
    const c = await h.connect(port);
    await c.write('POST /tiny HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n');
    let expected = '';
    for (let w = 0; w < 100; w++) {
      let piece = '';
      for (let k = 0; k < 50; k++) {
        const ch = String.fromCharCode(97 + ((w + k) % 26));
        expected += ch;
        piece += `1\r\n${ch}\r\n`;
      }
      await c.write(piece);
    }
    await c.write('0\r\n\r\n');
    const [r] = await c.responses(1);
    expect(r!.status).toBe(200);
    expect(text(r!.body)).toBe(`POST /tiny ${expected}`);
  });

  test('413 from Content-Length before the body is read, with the error headers, then close', async () => {
    const { server, port } = await h.start(echoHandlers, { limits: { maxBodyBytes: 100 } });
    const c = await h.connect(port);
    await c.write('POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n');
    const res = await c.untilEnd();
    expect(res).toHaveLength(1);
    const r = res[0]!;
    expect(r.status).toBe(413);
    expect(r.headers['connection']).toBe('close');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['server']).toBe('jato');
    expect(r.headers['date']).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(server.stats().requests).toBe(0);
  });

  test('the body limit is inclusive and also applies to chunked bodies', async () => {
    const { port } = await h.start(echoHandlers, { limits: { maxBodyBytes: 10 } });
    const c = await h.connect(port);
    await c.write('POST /ok HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789');
    const [r] = await c.responses(1);
    expect(r!.status).toBe(200);
    await c.write('POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n01234\r\n0\r\n\r\n');
    const res = await c.untilEnd();
    expect(res.map((x) => x.status)).toEqual([200, 413]);
  });

  test('Expect: 100-continue gets 100 Continue when the body is acceptable, the final status otherwise', async () => {
    const { port } = await h.start(echoHandlers, { limits: { maxBodyBytes: 100 } });
    const c = await h.connect(port);
    await c.write('POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n');
    await c.waitFor('100 Continue', () => (c.received.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n') ? true : undefined));
    await c.write('body');
    const res = await c.responses(2);
    expect(res.map((r) => [r.status, text(r.body)])).toEqual([[100, ''], [200, 'POST /e body']]);

    const d = await h.connect(port);
    await d.write('POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n');
    const res2 = await d.untilEnd();
    expect(d.received.toString('latin1')).not.toContain('100 Continue');
    expect(res2.map((r) => r.status)).toEqual([413]);
  });

  test('a parser error answers its status after the earlier pipelined responses, then closes', async () => {
    const { port } = await h.start(echoHandlers);
    const c = await h.connect(port);
    await c.write(GET('/a') + 'GET /b HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n' + GET('/never'));
    const res = await c.untilEnd();
    expect(res.map((r) => r.status)).toEqual([200, 400]);
    expect(res[1]!.headers['connection']).toBe('close');
  });

  test.each([
    ['garbage', '\x00\x01\x02 nonsense\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: t\r\n\r\n', 505],
    ['missing Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['CL and TE', 'POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['bad chunk size', 'POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 400],
    ['huge head', `GET / HTTP/1.1\r\nHost: t\r\nX: ${'a'.repeat(20000)}\r\n\r\n`, 431],
  ])('bad input (%s) is answered with its status and closed', async (_name, wire, status) => {
    const { port } = await h.start(echoHandlers);
    const c = await h.connect(port);
    await c.write(wire);
    const res = await c.untilEnd();
    expect(res.map((r) => r.status)).toEqual([status]);
  });

  test('HTTP/1.0 closes after the response unless keep-alive is asked for', async () => {
    const { port } = await h.start(echoHandlers);
    const c = await h.connect(port);
    await c.write('GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    const [r] = await c.responses(1);
    expect(text(r!.body)).toBe('GET /ka ');
    await c.write('GET /last HTTP/1.0\r\n\r\nGET /never HTTP/1.0\r\n\r\n');
    const res = await c.untilEnd();
    expect(res.map((x) => text(x.body))).toEqual(['GET /ka ', 'GET /last ']);
  });

  test('Connection: close ends the connection after that response; nothing more is read', async () => {
    let seen = 0;
    const { port } = await h.start({
      onBatch(batch, out) {
        seen += batch.count;
        echoHandlers.onBatch(batch, out);
      },
    });
    const c = await h.connect(port);
    await c.write(GET('/a', 'Connection: close\r\n') + GET('/b'));
    const res = await c.untilEnd();
    expect(res).toHaveLength(1);
    expect(seen).toBe(1);
  });

  test('headers, methods and targets reach the batch as sent', async () => {
    const seen: string[] = [];
    const lines: Array<readonly string[]> = [];
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const hs: string[] = [];
          const flat: string[] = [];
          for (let j = 0; j < batch.headerCount(i); j++) {
            hs.push(`${batch.headerName(i, j)}=${batch.headerValue(i, j)}`);
            flat.push(batch.headerName(i, j), batch.headerValue(i, j));
          }
          lines.push(batch.headerLines(i), flat);
          seen.push(`${batch.method(i)} ${batch.methodName(i)} ${batch.target(i)} ${hs.join(',')} ${batch.flags(i)}`);
          out.respond(batch.conn(i), batch.seq(i), 'HTTP/1.1 204 No Content\r\n\r\n', null, false);
        }
      },
    });
    const c = await h.connect(port);
    await c.write('PURGE /x?y=1 HTTP/1.1\r\nHost: h\r\nX-A:  spaced  \r\n\r\nDELETE /d HTTP/1.1\r\nHost: h\r\n\r\n');
    await c.responses(2);
    expect(seen).toEqual(['0 PURGE /x?y=1 Host=h,X-A=spaced 1', '5 DELETE /d Host=h 1']);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual(lines[1]);
    expect(lines[2]).toEqual(lines[3]);
  });

  test('headerLines(i) gives every name and value in one call, equal to headerName/headerValue', async () => {
    const lines: Array<readonly string[]> = [];
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          lines.push(batch.headerLines(i));
          out.respond(batch.conn(i), batch.seq(i), 'HTTP/1.1 204 No Content\r\n\r\n', null, false);
        }
      },
    });
    const c = await h.connect(port);
    const long = 'v'.repeat(3000);
    await c.write(Buffer.from(
      'GET /one HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Latin: caf\xe9  \r\nx-long: ' + long + '\r\n\r\n' +
        'POST /body HTTP/1.1\r\nContent-Length: 3\r\nHost: k\r\n\r\nabcGET /none HTTP/1.0\r\n\r\n',
      'latin1',
    ));
    await c.responses(3);
    expect(lines).toEqual([
      ['Host', 'h', 'X-Empty', '', 'X-Latin', 'caf\xe9', 'x-long', long],
      ['Content-Length', '3', 'Host', 'k'],
      [],
    ]);
  });

  test('repeated targets and header lines of the same length but other bytes are read anew', async () => {
    const seen: string[] = [];
    const arrays: Array<readonly string[]> = [];
    const { port } = await h.start({
      onBatch(batch, out) {
        for (let i = 0; i < batch.count; i++) {
          const l = batch.headerLines(i);
          arrays.push(l);
          seen.push(`${batch.target(i)} ${l.join('|')}`);
          out.respond(batch.conn(i), batch.seq(i), 'HTTP/1.1 204 No Content\r\n\r\n', null, false);
        }
      },
    });
    const c = await h.connect(port);
    const req = (t: string, v: string) => `GET ${t} HTTP/1.1\r\nHost: h\r\nX-V: ${v}\r\n\r\n`;
    await c.write(req('/aa', '1') + req('/aa', '1') + req('/ab', '1') + req('/ab', '2') + req('/aa', '2') + req('/aa', '1'));
    await c.responses(6);
    expect(seen).toEqual([
      '/aa Host|h|X-V|1', '/aa Host|h|X-V|1', '/ab Host|h|X-V|1', '/ab Host|h|X-V|2', '/aa Host|h|X-V|2', '/aa Host|h|X-V|1',
    ]);
    // lines handed out stay intact after later requests and batches
    expect(arrays.map((l) => l.join('|'))).toEqual(seen.map((x) => x.slice(4)));
  });
});

describe.each(TRANSPORTS)('100-continue ordering ($name)', ({ create }) => {
  const h = harness(create);
  afterEach(() => h.cleanup());

  test('behind an unanswered request, 100 Continue waits for that response', async () => {
    const { handlers, pending, reached: slowReached } = holdSlow((batch, i) => `${batch.target(i)}:${Buffer.from(batch.body(i)).toString()}`);
    const { port } = await h.start(handlers);
    const c = await h.connect(port);
    await c.write(GET('/slow') + 'POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n');
    await slowReached;
    pending[0]!();
    await c.waitFor('the slow response then 100 Continue', () =>
      c.received.toString('latin1').endsWith('/slow:HTTP/1.1 100 Continue\r\n\r\n') ? true : undefined,
    );
    await c.write('ok');
    const res = await c.responses(3);
    expect(res.map((r) => r.status)).toEqual([200, 100, 200]);
    expect(Buffer.from(res[2]!.body).toString()).toBe('/up:ok');
  });
});
