import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../src/index.js';
import { clientAddress, compileTrust, readForwarded } from '../src/request/trust-proxy.js';
import { rawRequest, startTestServer, type TestServer } from './support/testing.js';
import { TRANSPORTS } from './support/transports.js';

describe('trust proxy rules', () => {
  it('compiles addresses, CIDRs and names; rejects anything else', () => {
    const t = compileTrust(['10.0.0.0/8', '192.0.2.7', 'loopback', '2001:db8::/32']);
    expect(['10.1.2.3', '192.0.2.7', '127.0.0.1', '::1', '::ffff:10.0.0.1', '2001:db8::5'].map(t)).toEqual([true, true, true, true, true, true]);
    expect(['11.0.0.1', '192.0.2.8', '2001:db9::1', 'nonsense', ''].map(t)).toEqual([false, false, false, false, false]);
    for (const bad of ['10.0.0.0/33', 'example.com', '10.0.0.0/x', '::1/129']) expect(() => compileTrust([bad])).toThrow(TypeError);
  });

  it('walks X-Forwarded-For from the right, stopping at the first untrusted address', () => {
    const t = compileTrust(['10.0.0.0/8']);
    expect(clientAddress('10.0.0.1', ['203.0.113.9', '10.0.0.2'], t)).toBe('203.0.113.9');
    // a client-supplied (spoofed) left part is not reached: 198.51.100.1 is the last untrusted hop
    expect(clientAddress('10.0.0.1', ['1.2.3.4', '198.51.100.1', '10.0.0.2'], t)).toBe('198.51.100.1');
    expect(clientAddress('203.0.113.1', ['1.2.3.4'], t)).toBe('203.0.113.1'); // untrusted peer
    expect(clientAddress('10.0.0.1', ['garbage', '10.0.0.3'], t)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.1', [], t)).toBe('10.0.0.1');
  });

  it('reads Forwarded (RFC 7239) before X-Forwarded-*, dropping malformed values', () => {
    const h = (m: Record<string, string>) => (n: string) => m[n];
    expect(readForwarded(h({ forwarded: 'for=192.0.2.60;proto=https;host=api.example, for="[2001:db8::1]:4711"' }))).toEqual({
      for: ['192.0.2.60', '2001:db8::1'], proto: 'https', host: 'api.example',
    });
    expect(readForwarded(h({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a.example:8443' }))).toEqual({
      for: ['1.1.1.1', '2.2.2.2'], proto: 'https', host: 'a.example:8443',
    });
    expect(readForwarded(h({ 'x-forwarded-proto': 'gopher', 'x-forwarded-host': 'evil\r\nx' }))).toEqual({ for: [], proto: undefined, host: undefined });
  });
});

describe.each(TRANSPORTS)('trust proxy over real sockets (%s transport)', (transport) => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const spoof =
    'GET / HTTP/1.1\r\nHost: real.example\r\nX-Forwarded-For: 203.0.113.50\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: spoofed.example\r\n\r\n';

  function app(trustProxy?: string[]) {
    const a = new App({ transport, logger: false, ...(trustProxy !== undefined ? { trustProxy } : {}) });
    a.get('/', (req) => ({ ip: req.ip, protocol: req.protocol, host: req.host, hostname: req.hostname, peer: req.remoteAddress }));
    return a;
  }

  it('honours forwarding headers from a trusted peer (loopback)', async () => {
    server = await startTestServer(app(['loopback']));
    const { responses } = await rawRequest(server.port, spoof, { responses: 1 });
    expect(responses[0]!.json()).toMatchObject({ ip: '203.0.113.50', protocol: 'https', host: 'spoofed.example', hostname: 'spoofed.example' });
  });

  it('ignores spoofing attempts from an untrusted peer, and by default', async () => {
    for (const trust of [['10.0.0.0/8'], undefined]) {
      server = await startTestServer(app(trust));
      const { responses } = await rawRequest(server.port, spoof, { responses: 1 });
      const body = responses[0]!.json() as { ip: string; peer: string; protocol: string; host: string };
      expect(body.ip).toBe(body.peer);
      expect(body.ip).toMatch(/127\.0\.0\.1$/);
      expect([body.protocol, body.host]).toEqual(['http', 'real.example']);
      await server.close();
      server = undefined;
    }
  });
});
