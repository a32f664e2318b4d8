import { App } from 'jato';
const app = new App({ logger: false });
app.get('/', () => 'Hello world!');
const s = await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1', handleSignals: false });
process.on('SIGTERM', () => s.close(100).then(() => process.exit(0)));
console.log('ready');
