import type { Options } from 'tsup';
import { packageBuild } from '../../tsup.shared';

// Declarations marked `@internal` (dispatcher plumbing on Request and App) stay out of the published
// types; they are plain fields at run time, so hiding them costs the hot path nothing.
const config: Options = { ...(packageBuild() as Options), dts: { compilerOptions: { stripInternal: true } } };
export default config;
