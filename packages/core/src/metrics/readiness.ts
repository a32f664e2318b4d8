import { Response } from '../response/response.js';

/**
 * A readiness probe handler: 200 `ready` while the app serves, 503 `shutting down` once a graceful
 * shutdown started (the orchestrator then stops routing new traffic while in-flight requests end).
 *
 * ```ts
 * app.get('/ready', readiness(app))
 * ```
 */
export function readiness(app: { readonly shuttingDown: boolean }): () => Response {
  return () =>
    app.shuttingDown
      ? new Response('shutting down', { status: 503, headers: { 'cache-control': 'no-store' } })
      : new Response('ready', { headers: { 'cache-control': 'no-store' } });
}
