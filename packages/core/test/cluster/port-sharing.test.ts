import { afterEach, describe, expect, it } from 'vitest';
import { nativeAvailable } from '@jato/native-loop';
import { Fixture, get } from './support.js';

// Issue 9, item 6: with several workers the native transport binds with SO_REUSEPORT, so a second,
// unrelated deployment on the same port used to join the first one's group and split its traffic.
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.kill();
});

function start(env: Record<string, string>): Fixture {
  const f = Fixture.start('cluster-app.ts', { FIXTURE_WORKERS: '2', FIXTURE_TRANSPORT: 'native', ...env });
  fixtures.push(f);
  return f;
}

describe.skipIf(!nativeAvailable())('a port held by another deployment (native workers)', () => {
  it('a second, unrelated start fails with EADDRINUSE; with reusePort it shares and says so', async () => {
    const first = start({});
    const listening = await first.waitFor('listening', (e) => e.event === 'listening');
    const port = listening.port as number;
    const pids = listening.pids as number[];

    const second = start({ FIXTURE_PORT: String(port) });
    const failed = await second.waitFor('the failure', (e) => e.event === 'failed');
    expect(failed.code).toBe('EADDRINUSE');
    expect(failed.message).toMatch(new RegExp(`port ${port} .*in use.*reusePort`));
    expect(await second.exited()).toEqual({ code: 1, signal: null });
    expect(second.events.some((e) => e.event === 'ready')).toBe(false);
    // the first deployment alone still answers every connection
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(port, '/')));
    expect(new Set(answers.map((a) => Number(a.body))).size).toBeLessThanOrEqual(2);
    for (const a of answers) expect(pids).toContain(Number(a.body));

    const sharing = start({ FIXTURE_PORT: String(port), FIXTURE_REUSE: '1' });
    const shared = await sharing.waitFor('listening', (e) => e.event === 'listening');
    expect(shared.port).toBe(port);
    const log = sharing.events.find((e) => e.event === 'log');
    expect(log?.line).toMatch(new RegExp(`reusePort is set: port ${port} may be shared`));
  });
});
