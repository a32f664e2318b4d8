/** What kind of registration mistake a `RouteError` reports. */
export type RouteErrorCode = 'invalid-pattern' | 'invalid-method' | 'duplicate-route' | 'param-conflict';

/** Thrown by `Router.add` on a bad registration; the message names the bad character or both routes. */
export class RouteError extends Error {
  /** Machine-readable kind of the mistake. */
  readonly code: RouteErrorCode;

  constructor(code: RouteErrorCode, message: string) {
    super(message);
    this.name = 'RouteError';
    this.code = code;
  }
}
