// The Hono differential with the runtime's own Response (overrideGlobalResponse: false): bodies are
// read through the fast source read where available, else streamed.
import { honoDifferential } from './hono-differential.js';

honoDifferential(false);
