// @ts-check
/**
 * Raw-socket helpers of the bench's load clients (stream/clients.mjs, ws/load.mjs): connecting to the
 * server under test on loopback, opening many connections a batch at a time, and waiting.
 */
import net from 'node:net';

/**
 * A TCP connection to 127.0.0.1:`port`, resolved once connected (rejected on a connect error).
 * @param {number} port
 * @returns {Promise<net.Socket>}
 */
export function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * Opens `count` connections with `open`, `batch` at a time (each batch once the previous one is open),
 * so that a server's accept backlog is not flooded; resolves with them in order.
 * @template T
 * @param {number} count @param {number} batch @param {() => Promise<T>} open
 * @returns {Promise<T[]>}
 */
export async function openInBatches(count, batch, open) {
  /** @type {T[]} */
  const all = [];
  for (let i = 0; i < count; i += batch) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, open))));
  }
  return all;
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
