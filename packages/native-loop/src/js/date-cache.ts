/**
 * The `Date` header value (IMF-fixdate), rendered once a second by an unref'd timer aligned to
 * the wall-clock second, shared by every JS server of the process while at least one runs.
 */
let cached = new Date().toUTCString();
let users = 0;
let timer: NodeJS.Timeout | undefined;

function tick(): void {
  cached = new Date().toUTCString();
  timer = setTimeout(tick, 1000 - (Date.now() % 1000));
  timer.unref();
}

/** The current cached `Date` header value. */
export function dateHeader(): string {
  return timer === undefined ? new Date().toUTCString() : cached;
}

/** Starts the refresh timer for one more user; returns the matching release function. */
export function retainDateCache(): () => void {
  users += 1;
  if (users === 1) {
    clearTimeout(timer);
    tick();
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    users -= 1;
    if (users === 0) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
}
