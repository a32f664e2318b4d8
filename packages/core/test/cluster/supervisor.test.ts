import { afterEach, describe, expect, it } from 'vitest';
import { nativeAvailable } from '@jato/native-loop';
import { alive, Fixture, get } from './support.js';

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const f of fixtures.splice(0)) f.kill();
});

function start(env: Record<string, string>): Fixture {
  const f = Fixture.start('cluster-app.ts', env);
  fixtures.push(f);
  return f;
}

const transports = nativeAvailable() ? (['js', 'native'] as const) : (['js'] as const);

describe.each(transports)('superviseWorkers with the %s transport', (transport) => {
  it('starts N workers that answer on one port, respawns a killed worker, drains on SIGTERM and exits 0', async () => {
    const f = start({ FIXTURE_WORKERS: '2', FIXTURE_TRANSPORT: transport });
    const listening = await f.waitFor('listening', (e) => e.event === 'listening');
    const port = listening.port as number;
    const pids = listening.pids as number[];
    expect(pids.length).toBe(2);

    // many fresh connections: both workers answer, on the same port
    const bodies = await Promise.all(Array.from({ length: 40 }, () => get(port, '/')));
    expect(bodies.every((b) => b.status === 200)).toBe(true);
    expect(new Set(bodies.map((b) => Number(b.body)))).toEqual(new Set(pids));

    // kill one worker: its slot gets a new process, which serves
    const victim = pids[0]!;
    const mark = f.events.length;
    process.kill(victim, 'SIGKILL');
    const exit = await f.waitFor('the exit of the killed worker', (e) => e.event === 'exit' && e.pid === victim, mark);
    expect(exit).toMatchObject({ signal: 'SIGKILL', expected: false });
    await f.waitFor('a respawn', (e) => e.event === 'respawn' && e.slot === exit.slot, mark);
    const reborn = await f.waitFor('the new worker', (e) => e.event === 'ready' && e.slot === exit.slot, mark);
    const newPid = reborn.pid as number;
    expect(newPid).not.toBe(victim);
    expect(reborn.port).toBe(port);
    const after = await Promise.all(Array.from({ length: 40 }, () => get(port, '/')));
    expect(new Set(after.map((b) => Number(b.body)))).toEqual(new Set([pids[1]!, newPid]));

    // SIGTERM with a request in flight: it completes, then everything exits 0
    const slow = get(port, '/slow');
    await f.waitFor('the slow request to reach a worker', (e) => e.event === 'slow-received', mark);
    f.child.kill('SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^slow \d+$/);
    expect(await f.exited()).toEqual({ code: 0, signal: null });
    const exits = f.events.filter((e) => e.event === 'exit' && e.expected === true);
    expect(exits.map((e) => e.code).sort()).toEqual([0, 0]);
    expect(f.events.some((e) => e.event === 'stopped')).toBe(true);
    for (const pid of [pids[1]!, newPid]) expect(alive(pid)).toBe(false);
  });
});

describe('superviseWorkers start-up', () => {
  it('rejects (and the primary can exit 1) when workers die before listening, without respawning', async () => {
    const f = start({ FIXTURE_WORKERS: '2', FIXTURE_FAIL: '1' });
    const failed = await f.waitFor('failure', (e) => e.event === 'failed');
    expect(failed.message).toMatch(/worker \d \(pid \d+\) exited with code 1 before listening/);
    expect(await f.exited()).toEqual({ code: 1, signal: null });
    expect(f.events.some((e) => e.event === 'respawn')).toBe(false);
  });

  it('close() drains the workers and resolves once they exited', async () => {
    const f = start({ FIXTURE_WORKERS: '2', FIXTURE_CLOSE: '1' });
    const listening = await f.waitFor('listening', (e) => e.event === 'listening');
    const closed = await f.waitFor('closed', (e) => e.event === 'closed');
    expect(closed.pids).toEqual([]);
    const exits = f.events.filter((e) => e.event === 'exit');
    expect(exits.map((e) => [e.code, e.expected])).toEqual([[0, true], [0, true]]);
    expect(await f.exited()).toEqual({ code: 0, signal: null });
    for (const pid of listening.pids as number[]) expect(alive(pid)).toBe(false);
  });

  it('kills workers that do not finish draining by the deadline', async () => {
    const f = start({ FIXTURE_WORKERS: '2', FIXTURE_CLOSE: '1', FIXTURE_STUCK: '1' });
    await f.waitFor('listening', (e) => e.event === 'listening');
    const closed = await f.waitFor('closed', (e) => e.event === 'closed');
    // deadline 300 ms + killAfterMs 300 ms, then SIGKILL
    expect(closed.ms as number).toBeGreaterThanOrEqual(550);
    expect(closed.ms as number).toBeLessThan(15_000);
    const exits = f.events.filter((e) => e.event === 'exit');
    expect(exits.map((e) => [e.signal, e.expected])).toEqual([['SIGKILL', true], ['SIGKILL', true]]);
    expect(await f.exited()).toEqual({ code: 0, signal: null });
  });
});
