/**
 * @jato/router — a radix router with params typed from the path literal.
 * `createRouter<T>()` gives the default (radix) implementation of `Router<T>`.
 */
import { RadixRouter } from './radix/radix-router.js';
import type { Router } from './router.js';

export type {
  BadParamResult,
  FoundResult,
  MatchResult,
  MethodNotAllowedResult,
  NotFoundResult,
  RouteMethod,
  Router,
  RouteValue,
} from './router.js';
export type { ParamNames, PathParams } from './path-params.js';
export { RouteError, type RouteErrorCode } from './route-error.js';
export { parsePattern, type ParsedPattern, type PatternSegment } from './pattern.js';
export { decodeParam } from './decode-param.js';
export { ANY_METHOD } from './methods.js';
export { RadixRouter, type RadixRouterOptions } from './radix/radix-router.js';
export { LinearRouter } from './linear/linear-router.js';

/** A new empty router (the radix implementation). */
export function createRouter<T>(): Router<T> {
  return new RadixRouter<T>();
}
