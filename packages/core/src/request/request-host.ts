/**
 * What a `Request` needs from the dispatcher that created it (kept behind an interface so Request
 * knows nothing of transports).
 * @internal
 */
export interface RequestHost {
  /** Remote address of a live connection. */
  remote(conn: number): { address: string; port: number } | undefined;
  /** The serving transport's counters (undefined when not listening, e.g. under inject). */
  serverStats(): import('@jato/native-loop').ServerStats | undefined;
  /** Log an error thrown by a `req.signal` listener (see guardSignal). */
  listenerError(req: import('./request.js').Request, err: unknown): void;
  /** Whether the connection is still open. */
  isOpen(conn: number): boolean;
  /** Start delivering connection-close aborts to `req` (called when `req.signal` is first read). */
  watch(req: AbortTarget): void;
  /** Stop delivering them (the response was sent). */
  unwatch(req: AbortTarget): void;
  /** The app's `maxBodyBytes`: the most `bytes()`/`text()`/`json()`/`form()` read of a streamed body. */
  readonly maxBodyBytes: number;
  /** Which peers are trusted proxies (null: none, forwarding headers are ignored). */
  readonly trustProxy: import('./trust-proxy.js').TrustProxy | null;
  /** Form limits of the app. */
  readonly formLimits: import('./form.js').FormLimits;
}

/** A request that can be aborted by its connection closing. @internal */
export interface AbortTarget {
  readonly conn: number;
  abortNow(): void;
}
