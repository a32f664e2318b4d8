import type { Request } from '../request/request.js';
import type { RequestFn } from './compose.js';
import { type HeaderOp, NUMBERED, type NumberedLine, SHARED } from './fast-step.js';
import type { Middleware } from './types.js';

/**
 * What a jato middleware does, as data, for a request without the one header it reads (`requestId()`
 * without `X-Request-Id`, `cors()` without `Origin`): it records constant header lines (or a counter
 * number) and calls the rest of the chain, nothing else. A middleware that can also do something else
 * then (throw, read other headers, enter a context) has no plan. @internal
 */
export interface AbsentPlan {
  /** The lower-case name of the header the middleware reads first, or null when it reads none. */
  readonly key: string | null;
  /** Recorded before the rest of the chain runs (requestId) or after it returned (cors). */
  readonly after: boolean;
  /** The records, in order: op, name, key, value, line (a NUMBERED one's value is its counter's next number). */
  readonly records: readonly PlannedRecord[];
}

/** One record of an `AbsentPlan`. @internal */
export interface PlannedRecord {
  readonly op: HeaderOp;
  readonly name: string;
  readonly key: string;
  /** The value; for NUMBERED, ignored (the counter's next number is recorded). */
  readonly value: string;
  /** The head line (`${name}: ${value}\r\n`, a constant) or, for NUMBERED, the counter. */
  readonly line: string | Counter;
}

/** A NUMBERED record's line: it also makes the numbers. @internal */
export interface Counter extends NumberedLine {
  next(): number;
}

/** A plan's head for a text response (`Responder.respondNumbered`'s `NumberedHead`). @internal */
export interface PlannedHead {
  readonly head: string;
  readonly start: string;
}

/** The property of a jato middleware giving its `AbsentPlan`. @internal */
export const ABSENT_PLAN: unique symbol = Symbol('jato.absentPlan');

/** The plan of `mw` if it has one, else null. @internal */
export function absentPlanOf(mw: Middleware): AbsentPlan | null {
  const p = (mw as { [ABSENT_PLAN]?: AbsentPlan })[ABSENT_PLAN];
  return p === undefined ? null : p;
}

/**
 * The leading jato middleware of an app's chain compiled into one step for the common request, the
 * one without any header they read: one lookup per distinct header name, then their records written
 * at once, in the order their steps would record them (those recording before the rest, outermost
 * first, then those recording after it, innermost first), and the rest of the chain called — no
 * step, guard or closure per middleware. A request with one of the headers takes the steps
 * (`generic`). Records are kept in the request's `resOps` as `recordHeader` writes them; when the
 * same plan wrote them for the previous request of this Request object (nothing recorded since),
 * only the count and the counter numbers are written. @internal
 */
export class LeadPlan {
  /** The distinct header names the lead reads. */
  private readonly keys: string[];
  /** The records, flat as in `resOps` (op, name, key, value, line per record). */
  private readonly flat: unknown[];
  /** Slots of `flat` (= of resOps) holding counter numbers, and their counters. */
  private readonly numSlots: number[];
  private readonly counters: Counter[];
  /** Used slots of resOps after the plan wrote its records (its `resOps[0]`). */
  readonly size: number;
  /**
   * For the text fast path: whether the records go into a head as a cached prefix (every record
   * SHARED but at most one NUMBERED, no name twice), and that NUMBERED record's line and slot.
   */
  readonly textable: boolean;
  readonly numbered: NumberedLine | null;
  readonly numSlot: number;
  private readonly shared: string[];
  private lastPrefix: string | null = null;
  private lastHead: PlannedHead = { head: '', start: '' };

  constructor(plans: readonly AbsentPlan[]) {
    const keys: string[] = [];
    for (const p of plans) if (p.key !== null && !keys.includes(p.key)) keys.push(p.key);
    this.keys = keys;
    const order = [...plans.filter((p) => !p.after), ...plans.filter((p) => p.after).reverse()];
    const flat: unknown[] = [0];
    const numSlots: number[] = [];
    const counters: Counter[] = [];
    const shared: string[] = [];
    const seen = new Set<string>();
    let textable = true;
    let numbered: NumberedLine | null = null;
    let numSlot = 0;
    for (const p of order) {
      for (const r of p.records) {
        const at = flat.length;
        flat.push(r.op, r.name, r.key, r.value, r.line);
        if (seen.has(r.key)) textable = false;
        seen.add(r.key);
        if ((r.op & NUMBERED) !== 0) {
          numSlots.push(at + 3);
          counters.push(r.line as Counter);
          if (numbered !== null) textable = false;
          numbered = r.line as Counter;
          numSlot = at + 3;
        } else if ((r.op & SHARED) !== 0) shared.push(r.line as string);
        else textable = false;
      }
    }
    this.flat = flat;
    this.numSlots = numSlots;
    this.counters = counters;
    this.size = flat.length - 1;
    this.textable = textable;
    this.numbered = numbered;
    this.numSlot = numSlot;
    this.shared = shared;
  }

  /**
   * The lead as one step: `generic` (the lead's own steps) for a request carrying one of the headers
   * it reads, else the records and `rest` (the guarded chain after the lead).
   */
  step(generic: RequestFn, rest: RequestFn): RequestFn {
    const keys = this.keys;
    if (keys.length === 1) {
      const key = keys[0]!;
      return (req) => {
        if (req.headerLower(key) !== undefined) return generic(req);
        this.record(req);
        return rest(req);
      };
    }
    return (req) => {
      for (let k = 0; k < keys.length; k++) if (req.headerLower(keys[k]!) !== undefined) return generic(req);
      this.record(req);
      return rest(req);
    };
  }

  /** Write the records into the request's (empty) resOps. */
  private record(req: Request): void {
    let ops = req.resOps;
    if (ops === null) ops = req.resOps = [0];
    if (req.resPlan !== this) {
      const flat = this.flat;
      for (let k = 1; k < flat.length; k++) ops[k] = flat[k];
      req.resPlan = this;
    }
    const slots = this.numSlots;
    for (let k = 0; k < slots.length; k++) ops[slots[k]!] = this.counters[k]!.next();
    ops[0] = this.size;
  }

  /**
   * The head for a text response: `prefix` (the encoder's, kept by identity) and the shared lines,
   * and the start of the numbered line ('' without one). The same object while `prefix` is.
   */
  headFor(prefix: string): PlannedHead {
    if (prefix === this.lastPrefix) return this.lastHead;
    this.lastPrefix = prefix;
    // one flat string: the transport copies it without walking a tree of concatenations
    return (this.lastHead = { head: [prefix, ...this.shared].join(''), start: this.numbered === null ? '' : this.numbered.start });
  }
}

/** `mw` with its `AbsentPlan` (see `LeadPlan`). @internal */
export function withAbsentPlan(mw: Middleware, plan: AbsentPlan): Middleware {
  (mw as { [ABSENT_PLAN]?: AbsentPlan })[ABSENT_PLAN] = plan;
  return mw;
}
