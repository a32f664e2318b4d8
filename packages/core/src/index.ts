/**
 * @jato/core — the jato framework: `App`, `Request`, `Response`, errors, hooks, request extensions and
 * workers, on `@jato/native-loop`'s batched transport.
 */
export { App, type Method } from './app/app.js';
export type { AppOptions, AppLimits, ListenOptions, ListeningApp } from './app/options.js';
export type {
  ErrorHandler, Handler, HandlerResult, LazyExtension, MethodExtension, MethodNotAllowedHandler,
  NotFoundHandler, RequestHook, RequestOf, ResponseHook,
} from './app/types.js';
export { Request } from './request/request.js';
export type { StreamOptions } from './request/stream-options.js';
export type { MultipartPart } from './request/multipart-stream.js';
export { Form, type FormLimits, type FormValue, type UploadedFile } from './request/form.js';
export { parseCookies } from './request/cookies.js';
export { Response, type ResponseBody, type ResponseInit } from './response/response.js';
export { sse, formatSseEvent, type SseEvent, type SseOptions } from './response/sse.js';
export type { SseItem } from './response/sse.js';
export { SseFeed, type SseFeedOptions, type SseSubscribeOptions } from './response/sse-feed.js';
export type { StreamBody } from './response/stream-source.js';
export { immutableChunks } from './response/immutable-chunks.js';
export { ResponseHeaders, type HeadersInit } from './response/headers.js';
export { serializeCookie, type CookieOptions } from './response/cookie.js';
export { STATUS_TEXT } from './response/status.js';
export {
  HttpError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, type HttpErrorOptions,
} from './errors/http-error.js';
export type { ErrorClass } from './errors/error-handlers.js';
export { consoleLogger, silentLogger, type Logger, type LogFields } from './logger.js';
export type { Middleware, Next } from './middleware/types.js';
export { mapResponse } from './middleware/map-response.js';
export { RouteGroup, type JoinPath } from './app/group.js';
export type { RouteOptions } from './app/route-options.js';
export { cors, type CorsOptions, type CorsOrigin } from './cors/cors.js';
export { compress, supportsEncoding, type CompressOptions, type Encoding } from './compress/compress.js';
export { negotiateEncoding } from './compress/accept-encoding.js';
export {
  requestId, requestContext, currentRequestId, requestIdOf, type RequestContext, type RequestIdOptions,
} from './context/request-context.js';
export { accessLog, type AccessLogFields } from './logging/access-log.js';
export { Metrics, type MetricsOptions } from './metrics/metrics.js';
export { readiness } from './metrics/readiness.js';
export { tracing, type TracingOptions, type OtelApi, type OtelSpan, type OtelContext } from './tracing/tracing.js';
export { injectRaw, type InjectRawOptions } from './testing/inject-raw.js';
export { serveStatic, file, type ServeStaticOptions, type FileInit, type FileSendOptions } from './static/index.js';
export type { PathParams } from '@jato/router';
export { serve, type ServeOptions, type ServeInfo, type FetchServer } from './fetch/serve.js';
export type { FetchHandler } from './fetch/fetch-handler.js';
export type { FetchEnv, FetchSocketInfo } from './fetch/fetch-context.js';
export { WebSocket, type WsData } from './ws/socket.js';
export { WsSendStatus, type WsHandlers, type WsOptions } from './ws/types.js';
