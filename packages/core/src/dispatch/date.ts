let lastSecond = -1;
let lastValue = '';

/**
 * The `Date` header value (IMF-fixdate) for now, rendered at most once per second. Used when no
 * transport supplies its cached one (in-process injection).
 */
export function currentDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastValue = new Date(second * 1000).toUTCString();
  }
  return lastValue;
}
