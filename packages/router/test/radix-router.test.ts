import { createRouter, RadixRouter } from '../src/index.js';
import { runRouterCases } from './router.case.js';

runRouterCases('RadixRouter (compiled)', () => new RadixRouter());
runRouterCases('RadixRouter (tree walk)', () => new RadixRouter({ compile: false }));
runRouterCases('createRouter()', createRouter);
