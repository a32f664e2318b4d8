import { createRouter, RadixRouter } from '../src/index.js';
import { runRouterCases } from './router.case.js';

runRouterCases('RadixRouter', () => new RadixRouter());
runRouterCases('createRouter()', createRouter);
