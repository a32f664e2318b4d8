import { HttpError } from '../errors/http-error.js';
import type { ErrorHandlers } from '../errors/error-handlers.js';
import type { Logger } from '../logger.js';
import type { Request } from '../request/request.js';
import { Response } from '../response/response.js';
import type { ErrorHandler } from '../app/types.js';

/** What turning an error into a response needs from an app. @internal */
export interface ErrorScope {
  readonly errorHandlers: ErrorHandlers<ErrorHandler<unknown>>;
  readonly logger: Logger;
  readonly development: boolean;
  /** The scope of the app this one is mounted in (its error handlers are tried next). */
  parent: ErrorScope | null;
}

/**
 * The result for a thrown error: the scope's handler for its class, else the default. Never throws;
 * an error handler that throws (or rejects) is answered by the default with the original error as
 * the `cause` of the new one, so the log shows both.
 */
export function errorResult(scope: ErrorScope, req: Request, err: unknown): unknown {
  try {
    let handler = scope.errorHandlers.find(err);
    for (let s = scope.parent; handler === undefined && s !== null; s = s.parent) handler = s.errorHandlers.find(err);
    if (handler === undefined) return defaultError(scope, req, err);
    const r = handler(err, req);
    if (isThenableResult(r)) {
      return Promise.resolve(r).catch((second: unknown) => handlerFailed(scope, req, second, err));
    }
    return r;
  } catch (second) {
    return handlerFailed(scope, req, second, err);
  }
}

/** An error handler threw `second` while handling `first`: both end up in the log. */
function handlerFailed(scope: ErrorScope, req: Request, second: unknown, first: unknown): Response {
  const chained = causedBy(second, first);
  if (!hasInChain(chained, first)) logError(scope.logger, req, first);
  return defaultError(scope, req, chained);
}

function hasInChain(err: unknown, target: unknown): boolean {
  for (let depth = 0; depth < 32; depth++) {
    if (err === target) return true;
    if (!(err instanceof Error)) return false;
    err = err.cause;
  }
  return false;
}

/**
 * 4xx HttpErrors answer their status, message and headers; anything else is a logged 500. Never
 * throws: an HttpError that cannot be answered as it says (a status outside the registry, a
 * header value with CR/LF or non-ASCII text, …) is a logged 500 with the HttpError as the cause.
 */
export function defaultError(scope: ErrorScope, req: Request, err: unknown): Response {
  try {
    if (err instanceof HttpError) {
      const res = new Response(err.message, { status: err.status, headers: err.headers });
      if (res.status >= 500) logError(scope.logger, req, err);
      return res;
    }
  } catch (bad) {
    err = causedBy(bad, err);
  }
  logError(scope.logger, req, err);
  return internalError(scope.development, err);
}

/** A 500 response (in development with the error's stack); cannot fail. */
export function internalError(development: boolean, err: unknown): Response {
  return new Response(internalErrorBody(development, err), { status: 500 });
}

/** The body of a 500: the error's stack in development only. */
export function internalErrorBody(development: boolean, err: unknown): string {
  return development ? `Internal Server Error\n\n${errorText(err)}` : 'Internal Server Error';
}

/**
 * Log `err` the way pino wants it (object first: `{ err }`, then the message); a broken logger is
 * ignored: it must not break the response.
 */
export function logError(logger: Logger, req: Request, err: unknown): void {
  try {
    logger.error({ err, method: req.method, url: req.url }, `jato: ${req.method} ${req.url} failed`);
  } catch {
    /* a broken logger must not break the response */
  }
}

/**
 * `second` (thrown while handling `first`) with `first` as its cause, so the log shows the chain;
 * `second` itself when it already has a cause or is not an Error.
 */
export function causedBy(second: unknown, first: unknown): unknown {
  if (second === first) return second;
  try {
    if (second instanceof Error && second.cause === undefined) {
      Object.defineProperty(second, 'cause', { value: first, configurable: true, writable: true, enumerable: false });
    }
  } catch {
    /* a frozen error keeps what it has */
  }
  return second;
}

/** The error's stack (with its causes) as text; never throws. */
export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) {
      let text = String(err.stack ?? `${err.name}: ${err.message}`);
      let c: unknown = err.cause;
      for (let depth = 0; c !== undefined && depth < 8; depth++) {
        text += `\nCaused by: ${c instanceof Error ? String(c.stack ?? c.message) : String(c)}`;
        c = c instanceof Error ? c.cause : undefined;
      }
      return text;
    }
    return String(err);
  } catch {
    return 'unprintable error';
  }
}

/** A thenable that is not a jato Response. */
export function isThenableResult(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function' && !(v instanceof Response);
}
