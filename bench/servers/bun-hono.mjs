// The Hono app of hono-app.mjs on Bun.serve (run with bun). PORT and HOST from the environment.
/* global Bun */
import { honoApp } from './hono-app.mjs';

Bun.serve({ port: Number(process.env.PORT ?? 8080), hostname: process.env.HOST ?? '127.0.0.1', fetch: honoApp().fetch });
