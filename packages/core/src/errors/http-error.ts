import type { HeadersInit } from '../response/headers.js';
import { STATUS_TEXT, checkStatus } from '../response/status.js';

/** Options of an `HttpError`. */
export interface HttpErrorOptions {
  /** Extra response headers (e.g. `WWW-Authenticate`). */
  headers?: HeadersInit;
  /** The underlying cause (logged, never sent). */
  cause?: unknown;
}

/**
 * An error that maps to an HTTP status. Throw it from a handler to answer with `status` and the
 * message as a text/plain body:
 *
 * ```ts
 * app.get('/admin', (req) => { if (!req.header('authorization')) throw new HttpError(401, 'Log in first') })
 * ```
 * 4xx errors are not logged; 5xx are.
 */
export class HttpError extends Error {
  /** The status code (a registered 400–599 code). */
  readonly status: number;
  /** Extra response headers. */
  readonly headers: HeadersInit | undefined;

  constructor(status: number, message?: string, options?: HttpErrorOptions) {
    checkStatus(status);
    if (status < 400) throw new RangeError(`HttpError status must be 400-599, got ${status}`);
    super(message ?? STATUS_TEXT[status], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = options?.headers;
  }
}

/** Thrown by `req.json()` (as a 400) when the body is not valid JSON. */
export class BadRequestError extends HttpError {
  constructor(message: string, options?: HttpErrorOptions) {
    super(400, message, options);
    this.name = 'BadRequestError';
  }
}

/** Thrown by `req.form()` (as a 413) when a part or the form exceeds its limits. */
export class PayloadTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, message);
    this.name = 'PayloadTooLargeError';
  }
}

/** Thrown by `req.form()` (as a 415) when the body is neither urlencoded nor multipart. */
export class UnsupportedMediaTypeError extends HttpError {
  constructor(message: string) {
    super(415, message);
    this.name = 'UnsupportedMediaTypeError';
  }
}
