import type { ServerHandlers } from '@jato/native-loop';
import type { Logger } from '../logger.js';
import type { RequestHost } from '../request/request-host.js';
import { WsHub } from './hub.js';
import { WsRoute, hubOf, wsRouteHandler } from './route.js';
import type { WsData } from './socket.js';
import type { WsHandlers, WsOptions } from './types.js';

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/**
 * An app's WebSocket side: its routes count, and one hub per transport it serves on (what
 * `app.publish` reaches). An app without `app.ws` routes wires nothing: its transports never wait
 * on upgrade requests. @internal
 */
export class WsApps {
  private routes = 0;
  private readonly hubs = new Set<WsHub>();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  route(handlers: WsHandlers<any, any, any>, options: WsOptions, logger: Logger): (req: never) => unknown {
    if (handlers === null || typeof handlers !== 'object') throw new TypeError('app.ws(path, handlers): handlers must be an object');
    this.routes++;
    return wsRouteHandler(new WsRoute(handlers, options, logger));
  }

  /** A dispatcher about to serve a transport: give it a hub (when the app has WebSocket routes). */
  wire(dispatcher: RequestHost, handlers: ServerHandlers, highWaterMark: number | undefined): void {
    if (this.routes === 0) return;
    const hub = new WsHub(highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
    hubOf.set(dispatcher, hub);
    hub.wire(handlers);
    this.hubs.add(hub);
  }

  publish(topic: string, data: WsData, isBinary: boolean | undefined, compress: boolean | undefined): number {
    let n = 0;
    for (const hub of this.hubs) n += hub.publish(topic, data, isBinary, compress);
    return n;
  }
}
