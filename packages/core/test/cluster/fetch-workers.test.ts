import { afterEach, describe, expect, it } from 'vitest';
import { nativeAvailable } from '@jato/native-loop';
import { Fixture, get } from './support.js';

// serve({ fetch }) has App.listen's workers: N processes answer on one port; SIGTERM drains them.
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.kill();
});

const transports = nativeAvailable() ? (['js', 'native'] as const) : (['js'] as const);

describe.each(transports)('serve({ fetch, workers: 2 }) (%s transport)', (transport) => {
  it('two workers answer on one port; SIGTERM drains them and the primary exits 0', async () => {
    const f = Fixture.start('fetch-workers-app.ts', { FIXTURE_TRANSPORT: transport });
    fixtures.push(f);
    const listening = await f.waitFor('listening', (e) => e.event === 'listening');
    const port = listening.port as number;
    const bodies = await Promise.all(Array.from({ length: 40 }, () => get(port, '/')));
    expect(bodies.every((b) => b.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => b.body)).size).toBe(2);
    f.child.kill('SIGTERM');
    expect(await f.exited()).toEqual({ code: 0, signal: null });
  });
});
