/** How often the parent process is checked (a timer that never keeps the process alive). */
const CHECK_MS = 500;

/**
 * Calls `onGone` once when the process that started this one has exited (this process was
 * re-parented). `npx jato serve` runs jato under `sh -c` under npm: a SIGTERM to npm ends npm and the
 * shell but never reaches jato, which would keep serving as an orphan.
 */
export function watchParent(onGone: () => void): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      onGone();
    }
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** True when a package manager started this process (`npx`, `npm start`, `pnpm exec`, ...). */
export function startedByPackageManager(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['npm_lifecycle_event'] !== undefined || env['npm_config_user_agent'] !== undefined || env['npm_command'] !== undefined;
}
