import { LinearRouter } from '../src/index.js';
import { runRouterCases } from './router.case.js';

runRouterCases('LinearRouter', () => new LinearRouter());
