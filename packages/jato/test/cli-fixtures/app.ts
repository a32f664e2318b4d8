// A jato app for the CLI tests: exports the App without listening (the CLI calls listen).
import { App } from '@jato/core';

export const app = new App();
app.get('/', () => `hello from ${process.pid}`);
app.get('/slow', async () => {
  process.stdout.write('slow request received\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  return 'slow done';
});
