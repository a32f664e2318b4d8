/** Hostname and port of a `Host` header value (`example.com:8080`, `[::1]:80`, `example.com`). */
export interface HostParts {
  /** The host name or address, lowercased, without IPv6 brackets ('' when there is no Host). */
  hostname: string;
  /** The port, or undefined when none was given or it is not a valid port number. */
  port: number | undefined;
}

/** Split a Host header value into hostname and port. */
export function parseHost(host: string | undefined): HostParts {
  if (host === undefined || host === '') return { hostname: '', port: undefined };
  let name: string;
  let portText: string | undefined;
  if (host.charCodeAt(0) === 91 /* [ */) {
    const close = host.indexOf(']');
    name = close < 0 ? host.slice(1) : host.slice(1, close);
    const rest = close < 0 ? '' : host.slice(close + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(':') === colon) {
      name = host.slice(0, colon);
      portText = host.slice(colon + 1);
    } else {
      name = host;
    }
  }
  let port: number | undefined;
  if (portText !== undefined && /^[0-9]{1,5}$/.test(portText)) {
    const p = Number(portText);
    if (p <= 65535) port = p;
  }
  return { hostname: name.toLowerCase(), port };
}
