// The Hono differential with jato's light global Response (serve()'s default in Node).
import { honoDifferential } from './hono-differential.js';

honoDifferential(true);
