import type { RawClient } from './raw-client.js';

/**
 * Makes `client` read slowly: about `stepBytes` every `everyMs`, pausing its socket in between
 * (pause it before the server writes). Returns the function that stops the pacing.
 */
export function readSlowly(client: RawClient, stepBytes: number, everyMs: number): () => void {
  let budget = 0;
  client.socket.on('data', () => {
    if (client.receivedLength >= budget) client.socket.pause();
  });
  const reader = setInterval(() => {
    budget = client.receivedLength + stepBytes;
    client.socket.resume();
  }, everyMs);
  return () => clearInterval(reader);
}
