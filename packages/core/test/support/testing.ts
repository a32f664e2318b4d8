// The @jato/testing helpers, from source (core cannot depend on @jato/testing: it depends on core).
export * from '../../../testing/src/index.js';
