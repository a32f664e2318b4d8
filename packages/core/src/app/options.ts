import type { TransportLimits, TransportTimeouts } from '@jato/native-loop';
import type { Logger } from '../logger.js';
import type { FormLimits } from '../request/form.js';

/** Limits of an app (defaults in parentheses). The transport's apply before any handler runs. */
export interface AppLimits extends TransportLimits {
  /** Limits of `req.form()`. */
  form?: FormLimits;
}

/** Options of `new App(options)`. */
export interface AppOptions {
  /** Request size and concurrency limits (16 KiB head, 4096 header lines, 1 MiB body, …). */
  limits?: AppLimits;
  /** Timeouts in milliseconds (10 s headers, 5 s keep-alive idle, …). */
  timeouts?: TransportTimeouts;
  /** Where errors and warnings go (console); `false` silences them. */
  logger?: Logger | false;
  /** The `Server` header value ('jato'); '' sends none. Visible ASCII only (else a TypeError). */
  serverName?: string;
  /**
   * Development mode: a 500 carries the error's stack in its body. Default: true when
   * `NODE_ENV === 'development'`.
   */
  development?: boolean;
  /**
   * Proxies whose forwarding headers are believed (none): IP addresses, CIDRs (`'10.0.0.0/8'`) or
   * `'loopback'`, `'linklocal'`, `'uniquelocal'`. From a trusted peer, `Forwarded` (else
   * `X-Forwarded-For`/`-Proto`/`-Host`) sets `req.ip`, `req.protocol` and `req.host`; from any other
   * peer they are ignored.
   */
  trustProxy?: string | readonly string[];
  /** 'auto' (native, else JS after one warning), 'native' or 'js' ('auto'). */
  transport?: 'auto' | 'native' | 'js';
}

/** Options of `app.listen()`. */
export interface ListenOptions {
  /**
   * TCP port (8080); 0 picks a free one. An integer 0–65535, or a string of digits (e.g.
   * `process.env.PORT`); anything else makes `listen()` reject with a RangeError.
   */
  port?: number | string;
  /** Interface to bind ('0.0.0.0'). */
  host?: string;
  /** Worker processes sharing the port (1); 'auto' = one per CPU. */
  workers?: number | 'auto';
  /**
   * Let other processes bind the same port (SO_REUSEPORT) and share its connections (false).
   * By default a port already held by another process is an `EADDRINUSE` error, also with several
   * workers: the workers of this app share the port among themselves, but a second, unrelated
   * deployment on the same port fails to start instead of silently splitting the traffic. Set it
   * only to run several independent servers on one port on purpose (it is logged).
   */
  reusePort?: boolean;
  /**
   * On SIGTERM/SIGINT, stop accepting, let in-flight requests finish (up to 10 s) and exit 0
   * (true). With several workers the supervisor does this for all of them.
   */
  handleSignals?: boolean;
}

/** A listening app. */
export interface ListeningApp {
  /** The bound address. */
  readonly address: string;
  /** The bound port (useful with `port: 0`). */
  readonly port: number;
  /** 'native' or 'js' (in the supervising primary of several workers: the transport is the workers'). */
  readonly transport: 'native' | 'js' | 'workers';
  /** Stop accepting, let in-flight requests finish (until `deadlineMs`, default 10 s), close. */
  close(deadlineMs?: number): Promise<void>;
}
