import { RequestFlag, type Responder } from '@jato/native-loop';
import type { Logger } from '../logger.js';
import type { Request } from '../request/request.js';
import type { RequestHost } from '../request/request-host.js';
import { Response } from '../response/response.js';
import { Deflate, negotiateDeflate, type DeflateAgreement, type DeflateConfig } from './deflate.js';
import { checkHandshake, switchingHead, validProtocol, type HandshakeOffer } from './handshake.js';
import type { WsHub } from './hub.js';
import { WebSocket } from './socket.js';
import type { WsHandlers, WsOptions } from './types.js';

const MIB = 1024 * 1024;

/** The hub serving the WebSockets of each dispatcher (one per transport the app serves on). */
export const hubOf = new WeakMap<RequestHost, WsHub>();

/** One `app.ws` route: its handlers and resolved options. @internal */
export class WsRoute {
  readonly maxPayload: number;
  readonly idleTimeoutMs: number;
  readonly sendPings: boolean;
  readonly maxBackpressure: number;
  readonly protocols: readonly string[];
  readonly deflate: DeflateConfig | null;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly handlers: WsHandlers<any, any, any>,
    options: WsOptions,
    readonly logger: Logger,
  ) {
    const positive = (v: number | undefined, name: string, dflt: number): number => {
      if (v === undefined) return dflt;
      if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`ws option ${name} must be a number >= 0, got ${String(v)}`);
      return v;
    };
    this.maxPayload = Math.min(positive(options.maxPayloadLength, 'maxPayloadLength', 16 * MIB), 0xf000_0000);
    this.idleTimeoutMs = Math.round(positive(options.idleTimeout, 'idleTimeout', 120) * 1000);
    this.sendPings = options.sendPings ?? true;
    this.maxBackpressure = Math.min(positive(options.maxBackpressure, 'maxBackpressure', 16 * MIB), 0xffff_ffff);
    this.protocols = options.protocols ?? [];
    for (const p of this.protocols) if (!validProtocol(p)) throw new TypeError(`ws: invalid subprotocol ${JSON.stringify(p)}`);
    const z = options.perMessageDeflate;
    this.deflate = z === undefined || z === false ? null : { threshold: z === true ? 1024 : (z.threshold ?? 1024) };
  }
}

/** A handshake the route accepted: the dispatcher hands it the transport (`accept`). @internal */
export class WsAcceptance {
  constructor(
    private readonly route: WsRoute,
    private readonly offer: HandshakeOffer,
    private readonly data: unknown,
    private readonly protocol: string,
    private readonly deflate: DeflateAgreement | null,
  ) {}

  /** Writes the 101 and opens the socket; returns a Response to send instead when it cannot. */
  accept(req: Request, out: Responder): Response | null {
    const hub = hubOf.get(req.hub);
    if (hub === undefined || out.wsAccept === undefined) {
      return new Response('WebSockets are not served by this transport', { status: 501 });
    }
    // an async upgrade() that settled after the client left: nothing to open (its close was heard)
    if (!req.hub.isOpen(req.conn)) return null;
    const route = this.route;
    const head = switchingHead(this.offer.key, this.protocol, this.deflate?.response ?? '');
    const z = this.deflate !== null && route.deflate !== null ? new Deflate(route.deflate, this.deflate) : null;
    const ws = new WebSocket(hub, out as never, req.conn, this.data, { ...req.params } as never, req.remoteAddress ?? '',
      this.protocol, z);
    ws.route = route;
    out.wsAccept(req.conn, req.seq, head, {
      maxMessage: route.maxPayload,
      idleTimeout: route.idleTimeoutMs,
      maxBackpressure: route.maxBackpressure,
      sendPings: route.sendPings,
      deflate: z !== null,
    });
    hub.open(ws);
    return null;
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function' && !(v instanceof Response);

/** The GET handler of a WebSocket route: checks the handshake, runs `upgrade`, returns a WsAcceptance. @internal */
export function wsRouteHandler(route: WsRoute): (req: Request) => unknown {
  return (req) => {
    const offer = checkHandshake(req, (req.flags & RequestFlag.Upgrade) !== 0);
    if (offer instanceof Response) return offer;
    let protocol = '';
    for (const p of route.protocols) {
      if (offer.protocols.includes(p)) {
        protocol = p;
        break;
      }
    }
    const deflate = route.deflate === null ? null : negotiateDeflate(offer.extensions);
    const upgrade = route.handlers.upgrade;
    if (upgrade === undefined) return new WsAcceptance(route, offer, undefined, protocol, deflate);
    const accepted = (v: unknown): unknown => (v instanceof Response ? v : new WsAcceptance(route, offer, v, protocol, deflate));
    const r = upgrade(req);
    return isThenable(r) ? Promise.resolve(r).then(accepted) : accepted(r);
  };
}
