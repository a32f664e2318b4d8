import type { Middleware } from '../../src/index.js';

/** A middleware recording `name>` on the way in and `<name` on the way out (sync). */
export function tracer(log: string[], name: string): Middleware {
  return (_req, next) => {
    log.push(`${name}>`);
    const r = next();
    log.push(`<${name}`);
    return r;
  };
}
