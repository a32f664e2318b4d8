import { injectRaw, type App } from '@jato/core';
import { parseResponses, type TestResponse } from './parse-response.js';
import { requestBytes, type InjectRequest } from './request-bytes.js';

/**
 * Send one request to `app` in process (no socket) and get its response. The request goes through
 * the same parser, dispatch and encoder as real traffic, as raw bytes.
 *
 * ```ts
 * const res = await inject(app, { method: 'POST', url: '/echo', body: 'hi' })
 * expect(res.status).toBe(200); expect(res.text()).toBe('hi')
 * ```
 */
export async function inject(app: App<object>, request: InjectRequest | string = {}): Promise<TestResponse> {
  const req = typeof request === 'string' ? { url: request } : request;
  const raw = await injectRaw(app, requestBytes(req));
  const { responses } = parseResponses(raw, { head: [(req.method ?? 'GET').toUpperCase() === 'HEAD'], ended: true });
  const res = responses[0];
  if (res === undefined) {
    throw new Error(`No response to ${req.method ?? 'GET'} ${req.url ?? '/'} (raw: ${JSON.stringify(Buffer.from(raw).toString('latin1'))})`);
  }
  return res;
}

/**
 * Send raw bytes (possibly several pipelined requests) in process and parse every response.
 * `head` marks which responses answer HEAD requests.
 */
export async function injectAll(app: App<object>, raw: Uint8Array | string, head?: readonly boolean[]): Promise<TestResponse[]> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const out = await injectRaw(app, bytes);
  return parseResponses(out, { ...(head !== undefined ? { head } : {}), ended: true }).responses;
}
