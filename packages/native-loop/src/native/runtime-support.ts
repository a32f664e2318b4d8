/**
 * Whether this JavaScript runtime can run the native transport. The addon drives sockets through
 * Node's own libuv loop (uv_tcp_*, uv_read_start, uv_write, timers, check/idle handles): Bun exports
 * the TCP/stream functions only as stubs that abort the process when called, and Deno does not export
 * them (the dynamic linker aborts at the first call). Neither can be caught, so the check happens
 * before the addon is loaded, from the runtime's own version fields.
 */

type Versions = Record<string, string | undefined>;

/** The runtime's name and version, e.g. `node 22.11.0`, `bun 1.4.4`, `deno 2.9.6`. */
export function runtimeName(versions: Versions = process.versions, global: object = globalThis): string {
  if (versions['bun']) return `bun ${versions['bun']}`;
  const deno = (global as { Deno?: { version?: { deno?: string } } }).Deno;
  if (versions['deno'] || deno) return `deno ${versions['deno'] ?? deno?.version?.deno ?? ''}`.trim();
  return `node ${versions['node'] ?? ''}`.trim();
}

/** Why the native transport cannot run here, or undefined when it can (Node.js). */
export function runtimeUnsupported(versions: Versions = process.versions, global: object = globalThis): string | undefined {
  if (versions['bun'] || versions['deno'] || 'Deno' in global) {
    return `${runtimeName(versions, global)} does not provide the libuv event loop the native transport runs on`;
  }
  return undefined;
}
