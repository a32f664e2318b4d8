import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';
import shared from '../../../../vitest.shared';

// The sanitizer run's second part (test/sanitize/run.mjs): @jato/core's boundary property test,
// its streaming disconnect cycles (streamed request bodies and responses on the native loop), the
// graceful close right after a client left an open stream, handed-over chunks (immutableChunks: lent
// with the tick's flush, past the iovec limit), and the
// WebSocket fan-out of many messages in one turn to 1,000 subscribers (the prefetching row path) and
// the fan-out whose direct socket writes come up short, find sockets full or peers reset, the
// fan-out spread over several loop turns (queued writes, leavers, the maxBackpressure bound),
// rooted in packages/core, with its JSON report where run.mjs asks (core's own report is left alone).
const config: ViteUserConfig = {
  ...shared,
  root: fileURLToPath(new URL('../../../core', import.meta.url)),
  test: {
    ...shared.test,
    reporters: [
      'default',
      ['json', { outputFile: process.env['JATO_SANITIZE_CORE_REPORT'] ?? '.test-results/sanitize-core.json' }],
    ] as NonNullable<NonNullable<ViteUserConfig['test']>['reporters']>,
    include: ['test/boundary.property.test.ts', 'test/streaming/disconnects.test.ts', 'test/streaming/close-after-leave.test.ts', 'test/streaming/handed-over-chunks.test.ts', 'test/ws/fanout-turn.test.ts', 'test/ws/fanout-partial.test.ts', 'test/ws/fanout-rolling.test.ts'],
  },
};

export default config;
