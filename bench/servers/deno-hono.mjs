// The Hono app of hono-app.mjs on Deno.serve (run with deno --allow-net --allow-env --allow-read,
// resolving hono from bench/node_modules). PORT and HOST from the environment.
/* global Deno */
import { honoApp } from './hono-app.mjs';

const app = honoApp();
Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8080), hostname: Deno.env.get('HOST') ?? '127.0.0.1', onListen() {} }, app.fetch);
