// jato WebSocket peer of the ws bench: /echo echoes every message; /sub subscribes to topic 't';
// /pub publishes every message it gets to 't' (framed once). TRANSPORT=native|js, PORT, HOST.
import { App } from 'jato';

const app = new App({ logger: false, transport: process.env.TRANSPORT ?? 'native' });
app.ws('/echo', { message: (ws, data, isBinary) => void ws.send(data, isBinary) }, { idleTimeout: 0 });
app.ws('/sub', { open: (ws) => ws.subscribe('t') }, { idleTimeout: 0 });
app.ws('/pub', { message: (_ws, data, isBinary) => void app.publish('t', data, isBinary) }, { idleTimeout: 0 });
const server = await app.listen({ port: Number(process.env.PORT ?? 8080), host: process.env.HOST ?? '127.0.0.1', handleSignals: false });
process.on('SIGTERM', () => server.close(1000).then(() => process.exit(0)));
