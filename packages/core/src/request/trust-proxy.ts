import { BlockList, isIP } from 'node:net';

/** Whether a peer address is a trusted proxy. */
export type TrustProxy = (address: string) => boolean;

/** Named address ranges `trustProxy` accepts besides CIDRs and addresses. */
const NAMED: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Compile a `trustProxy` list (`'10.0.0.0/8'`, `'192.0.2.7'`, `'::1'`, `'loopback'`, `'uniquelocal'`,
 * `'linklocal'`) into a matcher. Throws a TypeError on an entry that is none of these.
 */
export function compileTrust(list: readonly string[]): TrustProxy {
  const blocks = new BlockList();
  for (const raw of list) {
    const named = NAMED[raw];
    for (const entry of named ?? [raw]) {
      const slash = entry.indexOf('/');
      const addr = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIP(addr);
      const bits = slash < 0 ? (family === 6 ? 128 : 32) : Number(entry.slice(slash + 1));
      if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32) || (slash >= 0 && !/^\d+$/.test(entry.slice(slash + 1)))) {
        throw new TypeError(`Invalid trustProxy entry ${JSON.stringify(raw)}: expected an IP address, a CIDR or loopback/linklocal/uniquelocal`);
      }
      blocks.addSubnet(addr, bits, family === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return (address) => {
    const a = unmapped(address);
    const family = isIP(a);
    return family !== 0 && blocks.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** `::ffff:192.0.2.1` → `192.0.2.1` (a v4 peer on a dual-stack socket). */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** What the proxies in front say about the client (each list left = closest to the client). */
export interface ForwardedInfo {
  readonly for: readonly string[];
  readonly proto: string | undefined;
  readonly host: string | undefined;
}

/**
 * Read `Forwarded` (RFC 7239) when present, else `X-Forwarded-For`/`-Proto`/`-Host`. Values that
 * are not well-formed are dropped (an address that is not an IP, a proto other than http/https).
 */
export function readForwarded(header: (name: string) => string | undefined): ForwardedInfo {
  const forwarded = header('forwarded');
  if (forwarded !== undefined) {
    const fors: string[] = [];
    let proto: string | undefined;
    let host: string | undefined;
    let first = true;
    for (const element of forwarded.split(',')) {
      for (const pair of element.split(';')) {
        const eq = pair.indexOf('=');
        if (eq < 0) continue;
        const key = pair.slice(0, eq).trim().toLowerCase();
        let value = pair.slice(eq + 1).trim();
        if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
        if (key === 'for') fors.push(nodeAddress(value));
        else if (first && key === 'proto') proto = value.toLowerCase();
        else if (first && key === 'host') host = value;
      }
      first = false;
    }
    return { for: fors, proto: checkProto(proto), host: checkHost(host) };
  }
  const xff = header('x-forwarded-for');
  const fors = xff === undefined ? [] : xff.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const proto = header('x-forwarded-proto')?.split(',')[0]!.trim().toLowerCase();
  const host = header('x-forwarded-host')?.split(',')[0]!.trim();
  return { for: fors, proto: checkProto(proto), host: checkHost(host) };
}

/** The address of a Forwarded `for=` node (`[2001:db8::1]:4711` → `2001:db8::1`, `192.0.2.1:80` → `192.0.2.1`). */
function nodeAddress(v: string): string {
  if (v.startsWith('[')) {
    const close = v.indexOf(']');
    return close < 0 ? '' : v.slice(1, close);
  }
  const colon = v.indexOf(':');
  return colon >= 0 && v.indexOf(':', colon + 1) < 0 ? v.slice(0, colon) : v;
}

function checkProto(p: string | undefined): string | undefined {
  return p === 'http' || p === 'https' ? p : undefined;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;
function checkHost(h: string | undefined): string | undefined {
  return h !== undefined && h.length <= 255 && HOST.test(h) ? h : undefined;
}

/**
 * The client address: from the peer leftwards through the forwarded-for chain, the first address
 * that is not a trusted proxy (the leftmost when all are). An untrusted peer is the client itself:
 * its headers are ignored.
 */
export function clientAddress(peer: string, fors: readonly string[], trusted: TrustProxy): string {
  if (!trusted(peer)) return peer;
  let last = peer;
  for (let i = fors.length - 1; i >= 0; i--) {
    const a = unmapped(fors[i]!);
    if (isIP(a) === 0) return last; // a broken entry: the proxy that passed it on is as far as we know
    if (i === 0 || !trusted(a)) return a;
    last = a;
  }
  return peer;
}
