// Deno.serve peer for the streaming scenarios (deno run --allow-net --allow-env): routes in web-stream-handler.mjs.
/* global Deno */
import { handle } from './web-stream-handler.mjs';

Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8080), hostname: Deno.env.get('HOST') ?? '127.0.0.1', onListen() {} }, handle);
