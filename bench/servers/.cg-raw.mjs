import { serve } from 'jato';
const s = serve({ fetch: () => new Response('Hello world!'), port: Number(process.env.PORT), hostname: '127.0.0.1', logger: false, handleSignals: false });
await s.ready;
process.on('SIGTERM', () => s.close(100).then(() => process.exit(0)));
console.log('ready');
