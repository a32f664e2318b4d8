/** Static files: `serveStatic` for a directory, `file()` for one file chosen by a handler. */
export { serveStatic, type ServeStaticOptions, type StaticHandler, type PrecompressedEncoding } from './serve-static.js';
export { file, type FileInit } from './file.js';
export type { FileSendOptions } from './send-file.js';
export type { DotfilesPolicy } from './safe-path.js';
export type { EtagKind } from './validators.js';
