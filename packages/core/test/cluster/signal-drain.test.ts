import { afterEach, describe, expect, it } from 'vitest';
import { nativeAvailable } from '@jato/native-loop';
import { Fixture, get } from './support.js';

// Issue 9, item 9: SIGTERM used to end a native-transport app at once (the event loop emptied)
// while a handler was still awaiting a plain promise; it must drain it up to the deadline.
const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.kill();
});

const transports = nativeAvailable() ? (['js', 'native'] as const) : (['js'] as const);

describe.each(transports)('SIGTERM with a handler awaiting a plain promise (%s transport)', (transport) => {
  it('answers the pending request, then exits 0', async () => {
    const f = Fixture.start('drain-app.ts', { FIXTURE_TRANSPORT: transport, FIXTURE_WAIT_MS: '600' });
    fixtures.push(f);
    const listening = await f.waitFor('listening', (e) => e.event === 'listening');
    const answer = get(listening.port as number, '/pending');
    await f.waitFor('the handler to start', (e) => e.event === 'pending');
    f.child.kill('SIGTERM');
    expect(await answer).toEqual({ status: 200, body: 'done' });
    expect(await f.exited()).toEqual({ code: 0, signal: null });
    const order = f.events.map((e) => e.event);
    expect(order.indexOf('answering')).toBeGreaterThan(order.indexOf('pending'));
    expect(order.indexOf('exit')).toBeGreaterThan(order.indexOf('answering'));
  });
});
