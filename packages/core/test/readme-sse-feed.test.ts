// The SseFeed example of the README, taken from README.md and run as written by `node` (ESM, from this
// package's directory: `@jato/core` resolves to the built dist), with PORT=0: two subscribers over
// real sockets, a publish, a reconnect with Last-Event-ID; then SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { FeedClient } from './streaming/feed-client.js';
import { readmeBlock, runReadmeExample } from './support/readme-example.js';

describe('README: broadcasting server-sent events', () => {
  const children: ReturnType<typeof runReadmeExample>[] = [];
  afterEach(() => {
    // also when the test failed or timed out: no example process is left behind
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('runs as written', async () => {
    const code = readmeBlock('Broadcasting server-sent events: SseFeed');
    const child = runReadmeExample(code);
    children.push(child);
    const clients: FeedClient[] = [];
    try {
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on port (\d+)/.exec(out);
          if (m !== null) resolve(Number(m[1]));
        });
        child.once('exit', (code) => reject(new Error(`the example exited (${code}): ${stderr}`)));
      });
      const publish = async (data: unknown): Promise<unknown> =>
        (await fetch(`http://127.0.0.1:${port}/prices`, { method: 'POST', body: JSON.stringify(data), headers: { 'content-type': 'application/json' } })).json();
      const a = await FeedClient.open(port, '/prices', { keepData: true });
      const b = await FeedClient.open(port, '/prices', { keepData: true });
      clients.push(a, b);
      await Promise.all([a, b].map((c) => c.until((x) => x.events === 1))); // the retry
      expect(await publish({ eur: 1.08 })).toEqual({ subscribers: 2 });
      expect(await publish({ eur: 1.09 })).toEqual({ subscribers: 2 });
      await Promise.all([a, b].map((c) => c.until((x) => x.ids.length === 2)));
      expect(a.ids).toEqual(['0', '1']);
      expect(b.data).toEqual(['{"eur":1.08}', '{"eur":1.09}']);
      // a reconnect after id 0 gets what it missed
      const again = await FeedClient.open(port, '/prices', { keepData: true, headers: 'Last-Event-ID: 0\r\n' });
      clients.push(again);
      await again.until((x) => x.ids.length === 1);
      expect(again.data).toEqual(['{"eur":1.09}']);
      for (const c of clients) c.destroy();
      child.kill('SIGTERM');
      expect(await new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', r)))).toBe(0);
    } finally {
      for (const c of clients) c.destroy();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
