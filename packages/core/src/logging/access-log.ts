import type { Logger } from '../logger.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import { requestIdOf } from '../context/request-context.js';

/** One access-log line's fields. */
export interface AccessLogFields {
  method: string;
  path: string;
  route: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  /** Milliseconds from the middleware's start to the response. */
  durationMs: number;
  /** The id `requestId()` gave the request (see `requestIdOf`). */
  requestId?: string;
  [field: string]: unknown;
}

/**
 * An access log as middleware: one `logger.info(fields, 'request')` line per response (method, path,
 * route, status, bytes, duration, request id). It costs nothing when not registered. Register it
 * after `requestId()` to get ids (`requestIdOf(req)`: with only jato's middleware outside
 * `requestId()`, or with `requestId({ context: true })`).
 */
export function accessLog(logger: Pick<Logger, 'info'>): Middleware {
  return (req, next) => {
    const start = performance.now();
    return mapResponse(next(), (res) => {
      const body = res.body;
      const fields: AccessLogFields = {
        method: req.method,
        path: req.path,
        route: req.route,
        status: res.status,
        bytes: body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength,
        durationMs: Math.round((performance.now() - start) * 1000) / 1000,
      };
      const id = requestIdOf(req);
      if (id !== undefined) fields.requestId = id;
      try {
        logger.info(fields, 'request');
      } catch {
        /* a broken logger must not break the response */
      }
    });
  };
}
