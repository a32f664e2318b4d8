import type { Request as JatoRequest } from '../request/request.js';

/** The socket facts of `env.incoming.socket` (what `getConnInfo` of `@hono/node-server/conninfo` reads). */
export interface FetchSocketInfo {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: 'IPv4' | 'IPv6' | undefined;
}

/**
 * The second and third argument `serve()` passes to a fetch handler (`fetch(request, env, ctx)`, the
 * same object twice), in the shape Hono's adapters use for `c.env` and `c.executionCtx`:
 * - `remoteAddress`, `remotePort`: the client's address (read while the handler runs);
 * - `incoming.socket`: the same as `{ remoteAddress, remotePort, remoteFamily }`, so Hono's
 *   `getConnInfo` for Node works. It is not a Node `IncomingMessage`, and there is no `outgoing`:
 *   jato's transport has no Node request/response objects;
 * - `waitUntil(promise)`: work that continues after the response; a graceful `close()` waits for it
 *   (up to its deadline) and a rejection is logged;
 * - `passThroughOnException()`: accepted for compatibility, does nothing; `props`: an empty object
 *   (Cloudflare's execution-context field).
 */
export interface FetchEnv {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly incoming: { readonly socket: FetchSocketInfo };
  waitUntil(promise: PromiseLike<unknown>): void;
  passThroughOnException(): void;
  readonly props: Record<string, unknown>;
}

/** Pending `waitUntil` work of one server. @internal */
export class WaitUntilSet {
  private readonly pending = new Set<Promise<unknown>>();
  constructor(private readonly onError: (err: unknown) => void) {}

  add(promise: PromiseLike<unknown>): void {
    const p = Promise.resolve(promise).then(
      () => {
        this.pending.delete(p);
      },
      (err: unknown) => {
        this.pending.delete(p);
        this.onError(err);
      },
    );
    this.pending.add(p);
  }

  /** Resolves once the work pending now is done. */
  settled(): Promise<void> {
    return Promise.all([...this.pending]).then(() => undefined);
  }

  get size(): number {
    return this.pending.size;
  }
}

/** The `FetchEnv` of one request (lazy: the address is looked up on first read). @internal */
export class FetchContext implements FetchEnv {
  private src: JatoRequest | null;
  private addr: { address: string; port: number } | null | undefined = undefined;
  private propsCache: Record<string, unknown> | null = null;

  constructor(src: JatoRequest, private readonly waiting: WaitUntilSet) {
    this.src = src;
  }

  private remote(): { address: string; port: number } | null {
    if (this.addr !== undefined) return this.addr;
    const src = this.src;
    if (src === null) return null;
    const address = src.remoteAddress;
    return (this.addr = address === undefined ? null : { address, port: src.remotePort ?? 0 });
  }

  get remoteAddress(): string | undefined {
    return this.remote()?.address;
  }

  get remotePort(): number | undefined {
    return this.remote()?.port;
  }

  get incoming(): { readonly socket: FetchSocketInfo } {
    const r = this.remote();
    const family = r === null ? undefined : r.address.includes(':') ? 'IPv6' : 'IPv4';
    return { socket: { remoteAddress: r?.address, remotePort: r?.port, remoteFamily: family } };
  }

  waitUntil(promise: PromiseLike<unknown>): void {
    this.waiting.add(promise);
  }

  passThroughOnException(): void {}

  get props(): Record<string, unknown> {
    return (this.propsCache ??= {});
  }

  /** @internal the response is known: jato's request object is about to be reused. */
  seal(): void {
    this.src = null;
  }
}
