// Bun.serve peer for the streaming scenarios (run with bun): routes in web-stream-handler.mjs.
/* global Bun */
import { handle } from './web-stream-handler.mjs';

Bun.serve({ port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1', idleTimeout: 60, fetch: handle });
