import cluster from 'node:cluster';
import { createHelloApp } from './app.js';

/** `node apps/hello`: PORT (8080), HOST (0.0.0.0), WORKERS (1, or 'auto'). */
// a string from the environment is validated by listen() (digits only, 0-65535)
const port = process.env['PORT'] ?? 8080;
const host = process.env['HOST'] ?? '0.0.0.0';
const workersEnv = process.env['WORKERS'] ?? '1';
const workers = workersEnv === 'auto' ? 'auto' : Number(workersEnv);

const server = await createHelloApp().listen({ port, host, workers });
// With several workers the primary prints once; the workers stay quiet.
if (cluster.isPrimary) console.log(`jato listening on http://${host}:${server.port}`);
