/** The transports every socket test runs over (the same suite must pass on both). */
export const TRANSPORTS = ['native', 'js'] as const;
