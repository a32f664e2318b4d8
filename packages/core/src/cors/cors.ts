import { SET, SHARED, VARY, fastMiddleware, recordHeader } from '../middleware/fast-step.js';
import { withAbsentPlan } from '../middleware/lead-plan.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import type { Request } from '../request/request.js';
import { isHeaderValue } from '../response/headers.js';
import { Response } from '../response/response.js';
import { addVary } from '../response/vary.js';

/** Which origins may read responses: '*', one origin, a list, a pattern or a function. */
export type CorsOrigin = '*' | string | readonly (string | RegExp)[] | RegExp | ((origin: string, req: Request) => boolean);

/** Options of `cors()`. */
export interface CorsOptions {
  /** Allowed origins ('*'). With `credentials`, '*' echoes the request's origin. */
  origin?: CorsOrigin;
  /** Send `Access-Control-Allow-Credentials: true` (false). */
  credentials?: boolean;
  /** Methods a preflight allows (default: the methods the path has routes for). */
  methods?: readonly string[];
  /** Request headers a preflight allows (default: those the preflight asks for). */
  allowedHeaders?: readonly string[];
  /** Response headers the browser may expose (`Access-Control-Expose-Headers`). */
  exposedHeaders?: readonly string[];
  /** Seconds a preflight may be cached (`Access-Control-Max-Age`); unset: none sent. */
  maxAge?: number;
}

const DEFAULT_METHODS = 'GET, HEAD, PUT, PATCH, POST, DELETE';
const CREDENTIALS_LINE = 'Access-Control-Allow-Credentials: true\r\n';
const VARY_LINE = 'Vary: Origin\r\n';
const ANY_ORIGIN_LINE = 'Access-Control-Allow-Origin: *\r\n';

/**
 * CORS as middleware. Register it first (`app.use(cors({ origin: ['https://app.example'] }))`) so
 * its headers are on every response, errors, 404 and 405 included. A preflight (`OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`) to any path that has routes is answered 204 here,
 * without reaching other middleware or handlers; to a path without routes it gets the 404.
 * Responses carry `Vary: Origin` whenever the answer depends on the origin.
 */
export function cors(options: CorsOptions = {}): Middleware {
  const allow = originMatcher(options.origin ?? '*');
  const anyOrigin = options.origin === undefined || options.origin === '*';
  const credentials = options.credentials === true;
  const varies = !anyOrigin || credentials;
  const methods = options.methods?.join(', ');
  const allowedHeaders = options.allowedHeaders?.join(', ');
  const exposed = options.exposedHeaders !== undefined && options.exposedHeaders.length > 0 ? options.exposedHeaders.join(', ') : null;
  if (options.maxAge !== undefined && (!Number.isSafeInteger(options.maxAge) || options.maxAge < 0)) {
    throw new RangeError('cors maxAge must be a non-negative integer (seconds)');
  }
  const maxAge = options.maxAge === undefined ? null : String(options.maxAge);
  if (exposed !== null && !isHeaderValue(exposed)) throw new TypeError('cors exposedHeaders must be valid header values');
  const exposedLine = `Access-Control-Expose-Headers: ${exposed ?? ''}\r\n`;

  const allowOrigin = (origin: string): string => (anyOrigin && !credentials ? '*' : origin);
  // made outside the per-request step: a closure in the step would give every call a context object
  const setter: Setter = (value) => (res) => {
    const h = res.headers;
    if (varies) addVary(h, 'Origin');
    if (value === null) return;
    h.set('Access-Control-Allow-Origin', value);
    if (credentials) h.set('Access-Control-Allow-Credentials', 'true');
    if (exposed !== null) h.set('Access-Control-Expose-Headers', exposed);
  };

  const mw = fastMiddleware((outermost) => (req, rest) => {
    const origin = req.headerLower('origin');
    if (origin === undefined) {
      if (!varies) return rest(req);
      const result = rest(req);
      if (outermost) {
        recordHeader(req, VARY | SHARED, 'Vary', 'vary', 'Origin', VARY_LINE);
        return result;
      }
      return mapResponse(result, addVaryOrigin);
    }
    const allowed = allow(origin, req);
    if (req.method === 'OPTIONS' && allowed) {
      const requested = req.header('access-control-request-method');
      // the router's answer for this path (set when the app has middleware): a 405 means other
      // methods have routes here
      const target = req.matched as { kind?: string; allowed?: readonly string[] } | null;
      const miss405 = target !== null && target.kind === 'method-not-allowed';
      const hasRoutes = req.route !== '' || miss405;
      if (requested !== undefined && hasRoutes) {
        const res = new Response(null, { status: 204 });
        const h = res.headers;
        h.set('Access-Control-Allow-Origin', allowOrigin(origin));
        if (credentials) h.set('Access-Control-Allow-Credentials', 'true');
        h.set('Access-Control-Allow-Methods', methods ?? (miss405 ? target.allowed!.join(', ') : DEFAULT_METHODS));
        const asked = req.header('access-control-request-headers');
        const headers = allowedHeaders ?? asked;
        if (headers !== undefined && headers !== '') h.set('Access-Control-Allow-Headers', headers);
        if (maxAge !== null) h.set('Access-Control-Max-Age', maxAge);
        if (varies) addVary(h, 'Origin');
        if (allowedHeaders === undefined && asked !== undefined) addVary(h, 'Access-Control-Request-Headers');
        return res;
      }
    }
    const result = rest(req);
    // the echoed origin is checked as a header value where it is recorded (a Response checks its own)
    if (outermost && (!allowed || isHeaderValue(origin))) {
      if (varies) recordHeader(req, VARY | SHARED, 'Vary', 'vary', 'Origin', VARY_LINE);
      if (!allowed) return result;
      const value = allowOrigin(origin);
      if (value === '*') recordHeader(req, SET | SHARED, 'Access-Control-Allow-Origin', 'access-control-allow-origin', value, ANY_ORIGIN_LINE);
      else recordHeader(req, SET, 'Access-Control-Allow-Origin', 'access-control-allow-origin', value, `Access-Control-Allow-Origin: ${value}\r\n`);
      if (credentials) recordHeader(req, SET | SHARED, 'Access-Control-Allow-Credentials', 'access-control-allow-credentials', 'true', CREDENTIALS_LINE);
      if (exposed !== null) recordHeader(req, SET | SHARED, 'Access-Control-Expose-Headers', 'access-control-expose-headers', exposed, exposedLine);
      return result;
    }
    return mapResponse(result, setter(allowed ? allowOrigin(origin) : null));
  });
  // without Origin: `Vary: Origin` recorded after the rest of the chain (when the answer varies), nothing else
  return withAbsentPlan(mw, {
    key: 'origin',
    after: true,
    records: varies ? [{ op: VARY | SHARED, name: 'Vary', key: 'vary', value: 'Origin', line: VARY_LINE }] : [],
  });
}

/** Sets CORS headers on a Response: `Vary: Origin` when the answer varies, the rest when `value` is an allowed origin's value. */
type Setter = (value: string | null) => (res: Response) => void;

function addVaryOrigin(res: Response): void {
  addVary(res.headers, 'Origin');
}

function originMatcher(origin: CorsOrigin): (origin: string, req: Request) => boolean {
  if (typeof origin === 'function') return origin;
  if (origin === '*') return () => true;
  if (typeof origin === 'string') return (o) => o === origin;
  if (origin instanceof RegExp) return (o) => origin.test(o);
  if (Array.isArray(origin)) {
    const exact = new Set(origin.filter((o): o is string => typeof o === 'string'));
    const patterns = origin.filter((o): o is RegExp => o instanceof RegExp);
    return (o) => exact.has(o) || patterns.some((p) => p.test(o));
  }
  throw new TypeError('cors origin must be "*", a string, a RegExp, a list of them or a function');
}
