import { describe, expect, it } from 'vitest';
import { NUMBERED, SET, SHARED, VARY } from '../src/middleware/fast-step.js';
import { type AbsentPlan, type Counter, LeadPlan } from '../src/middleware/lead-plan.js';
import type { Request } from '../src/request/request.js';

/** A request as the plan sees it: headers by lower-case name, the recorded ops. */
function fakeRequest(headers: Record<string, string> = {}): Request {
  return { resOps: null, resPlan: null, headerLower: (key: string) => headers[key] } as unknown as Request;
}

function counter(start: string): Counter {
  let n = 0;
  return { start, next: () => ++n, value: (k: number) => `id-${k}` };
}

const line = (name: string, value: string) => ({ op: SET | SHARED, name, key: name.toLowerCase(), value, line: `${name}: ${value}\r\n` });

describe('LeadPlan', () => {
  it('records in the order the steps would: those before the rest outermost first, then those after it innermost first', () => {
    const plans: AbsentPlan[] = [
      { key: 'a', after: true, records: [line('A-After', '1')] },
      { key: 'b', after: false, records: [line('B-Before', '2')] },
      { key: 'c', after: true, records: [line('C-After', '3')] },
      { key: null, after: false, records: [line('D-Before', '4')] },
    ];
    const plan = new LeadPlan(plans);
    const req = fakeRequest();
    const seen: string[] = [];
    const step = plan.step(() => 'generic', (r) => {
      const ops = r.resOps!;
      for (let k = 1; k < (ops[0] as number) + 1; k += 5) seen.push(ops[k + 1] as string);
      return 'rest';
    });
    expect(step(req)).toBe('rest');
    expect(seen).toEqual(['B-Before', 'D-Before', 'C-After', 'A-After']);
  });

  it('takes the steps when any header it reads is present; counts on when the records are reused', () => {
    const ids = counter('X-Id: p-');
    const plan = new LeadPlan([
      { key: 'x-id', after: false, records: [{ op: NUMBERED, name: 'X-Id', key: 'x-id', value: '', line: ids }] },
      { key: 'origin', after: true, records: [{ op: VARY | SHARED, name: 'Vary', key: 'vary', value: 'Origin', line: 'Vary: Origin\r\n' }] },
    ]);
    const step = plan.step(() => 'generic', () => 'rest');
    expect(step(fakeRequest({ origin: 'o' }))).toBe('generic');
    expect(step(fakeRequest({ 'x-id': 'i' }))).toBe('generic');
    const req = fakeRequest();
    for (const n of [1, 2, 3]) {
      (req.resOps ?? [0])[0] = 0;
      expect(step(req)).toBe('rest');
      expect(req.resOps!.slice(0, 11)).toEqual([10, NUMBERED, 'X-Id', 'x-id', n, ids, VARY | SHARED, 'Vary', 'vary', 'Origin', 'Vary: Origin\r\n']);
    }
    expect(plan.textable).toBe(true);
    expect(plan.headFor('P\r\n')).toEqual({ head: 'P\r\nVary: Origin\r\n', start: 'X-Id: p-' });
    expect(plan.headFor('P\r\n')).toBe(plan.headFor('P\r\n'));
  });

  it('is not textable with a name twice or a line of its own', () => {
    expect(new LeadPlan([{ key: null, after: false, records: [line('A', '1'), line('a', '2')] }]).textable).toBe(false);
    expect(new LeadPlan([{ key: null, after: false, records: [{ ...line('A', '1'), op: SET }] }]).textable).toBe(false);
  });
});
