import type { App } from './app.js';
import type { ListeningApp } from './options.js';

/**
 * Bridge to the workers supervisor (src/cluster). Kept in its own module so single-process apps never
 * load it.
 * @internal
 */
export async function superviseApp(
  _app: App<object>,
  _options: { port: number; host: string; workers: number },
): Promise<ListeningApp> {
  throw new Error('workers > 1 needs the workers supervisor (not available yet)');
}

