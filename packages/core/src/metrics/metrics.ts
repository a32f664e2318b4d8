import type { ServerStats } from '@jato/native-loop';
import type { Request } from '../request/request.js';
import { mapResponse } from '../middleware/map-response.js';
import type { Middleware } from '../middleware/types.js';
import { Response } from '../response/response.js';

/** Latency histogram bucket upper bounds, seconds (Prometheus' defaults). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RouteStats {
  readonly counts: number[];
  sum: number;
  count: number;
}

/** Options of `new Metrics()`. */
export interface MetricsOptions {
  /** Prefix of every metric name ('jato_'). */
  prefix?: string;
  /** Histogram bucket upper bounds, seconds (0.005 … 10). */
  buckets?: readonly number[];
}

/**
 * App counters in Prometheus' text format, opt-in:
 *
 * ```ts
 * const metrics = new Metrics()
 * app.use(metrics.middleware())          // count every response
 * app.get('/metrics', metrics.handler()) // scrape endpoint
 * ```
 * Counts requests by method and status class, requests in flight, response body bytes, and a latency
 * histogram per route pattern (unmatched requests count under route ""). The scrape also reports the
 * serving transport's connections (open now, accepted in total) and bytes read and written. An app
 * that does not use it pays nothing.
 */
export class Metrics {
  private readonly prefix: string;
  private readonly buckets: readonly number[];
  private readonly byStatus = new Map<string, number>();
  private readonly routes = new Map<string, RouteStats>();
  private inFlight = 0;
  private bytes = 0;

  constructor(options: MetricsOptions = {}) {
    this.prefix = options.prefix ?? 'jato_';
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$|^$/.test(this.prefix)) throw new TypeError(`Invalid metric prefix ${JSON.stringify(this.prefix)}`);
    this.buckets = [...(options.buckets ?? BUCKETS)].sort((a, b) => a - b);
  }

  /** The middleware that counts (register it early so it sees errors, 404 and 405). */
  middleware(): Middleware {
    return (req, next) => {
      const start = performance.now();
      this.inFlight++;
      let result: unknown;
      try {
        result = next();
      } catch (err) {
        this.inFlight--;
        throw err;
      }
      return mapResponse(result, (res) => {
        this.inFlight--;
        this.observe(req.method, req.route, res.status, res.body, (performance.now() - start) / 1000);
      });
    };
  }

  /**
   * A handler answering the counters in the Prometheus text exposition format (0.0.4), with the
   * connection counters of the transport serving the request (none under `inject`).
   */
  handler(): (req: Request) => Response {
    const headers = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' };
    return (req) => new Response(this.text(req.hub.serverStats()), { headers });
  }

  /** Record one response (what the middleware does). */
  observe(method: string, route: string, status: number, body: string | Uint8Array | null, seconds: number): void {
    const key = `${method}\u0000${Math.floor(status / 100)}xx`;
    this.byStatus.set(key, (this.byStatus.get(key) ?? 0) + 1);
    this.bytes += body === null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    let r = this.routes.get(route);
    if (r === undefined) this.routes.set(route, (r = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]!) r.counts[i]!++;
    r.sum += seconds;
    r.count++;
  }

  /** The counters as Prometheus text (with a transport's counters when `server` is given). */
  text(server?: ServerStats): string {
    const p = this.prefix;
    let out = `# HELP ${p}http_requests_total Responses sent, by method and status class.\n# TYPE ${p}http_requests_total counter\n`;
    for (const [key, n] of this.byStatus) {
      const [method, status] = key.split('\u0000');
      out += `${p}http_requests_total{method="${label(method!)}",status="${status}"} ${n}\n`;
    }
    out += `# HELP ${p}http_requests_in_flight Requests being handled.\n# TYPE ${p}http_requests_in_flight gauge\n${p}http_requests_in_flight ${this.inFlight}\n`;
    out += `# HELP ${p}http_response_body_bytes_total Response body bytes sent.\n# TYPE ${p}http_response_body_bytes_total counter\n${p}http_response_body_bytes_total ${this.bytes}\n`;
    out += `# HELP ${p}http_request_duration_seconds Time to respond, by route pattern.\n# TYPE ${p}http_request_duration_seconds histogram\n`;
    for (const [route, r] of this.routes) {
      const l = `route="${label(route)}"`;
      for (let i = 0; i < this.buckets.length; i++) out += `${p}http_request_duration_seconds_bucket{${l},le="${this.buckets[i]}"} ${r.counts[i]}\n`;
      out += `${p}http_request_duration_seconds_bucket{${l},le="+Inf"} ${r.count}\n`;
      out += `${p}http_request_duration_seconds_sum{${l}} ${r.sum}\n${p}http_request_duration_seconds_count{${l}} ${r.count}\n`;
    }
    if (server !== undefined) out += transportText(p, server);
    return out;
  }
}

/** The transport's counters (connections open and accepted, bytes) as Prometheus text. */
function transportText(p: string, s: ServerStats): string {
  const metric = (name: string, type: string, help: string, value: number): string =>
    `# HELP ${p}${name} ${help}\n# TYPE ${p}${name} ${type}\n${p}${name} ${Number.isFinite(value) ? value : 0}\n`;
  return (
    metric('connections_open', 'gauge', 'Connections open now.', s.connections) +
    metric('connections_accepted_total', 'counter', 'Connections accepted since the server started.', s.accepted) +
    metric('transport_bytes_read_total', 'counter', 'Bytes read from clients by the transport.', s.bytesRead) +
    metric('transport_bytes_written_total', 'counter', 'Bytes written to clients by the transport.', s.bytesWritten)
  );
}

/** A label value escaped for the text format. */
function label(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
