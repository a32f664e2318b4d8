/** The transports the streamed-response suites run over. */
export const STREAM_TRANSPORTS = ['native', 'js'] as const;
