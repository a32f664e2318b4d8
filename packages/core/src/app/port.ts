/**
 * A TCP port from an option or the environment: an integer 0–65535, or a string of 1–5 digits
 * naming one (`'8080'` from `process.env.PORT`). Anything else (`70000`, `'abc'`, `-1`, `1.5`,
 * `'8080 '`) throws a RangeError naming the value, instead of listening somewhere unexpected.
 */
export function resolvePort(port: unknown, what = 'port'): number {
  if (typeof port === 'number') {
    if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  } else if (typeof port === 'string' && /^[0-9]{1,5}$/.test(port)) {
    const n = Number(port);
    if (n <= 65535) return n;
  }
  let shown: string;
  try {
    shown = typeof port === 'string' ? JSON.stringify(port) : String(port);
  } catch {
    shown = typeof port;
  }
  throw new RangeError(`Invalid ${what} ${shown}: expected an integer from 0 to 65535 (a string must be digits only)`);
}
