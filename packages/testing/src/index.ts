/**
 * @jato/testing — test jato apps: `inject` (in process, through the real parser and dispatch path),
 * `startTestServer` (a real socket on a free port) and `rawRequest` (a raw-bytes client that can
 * pipeline), plus `parseResponses` for raw HTTP responses.
 */
export { inject, injectAll } from './inject.js';
export { requestBytes, type InjectRequest } from './request-bytes.js';
export { parseResponses, type ParseResponsesOptions, type ParsedResponses, type TestResponse } from './parse-response.js';
export { startTestServer, type TestServer } from './server.js';
export { rawRequest, type RawRequestOptions, type RawResult } from './raw-client.js';
export { connectWebSocket, clientFrame, type WsTestClient, type WsTestClientOptions, type WsTestFrame } from './ws-client.js';
