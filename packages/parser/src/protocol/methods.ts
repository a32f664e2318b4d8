/**
 * Method ids: the numbering of the C++ parser's `jato::http::Method` (include/jato/parser/types.hpp),
 * carried in the native loop's batch table and read by `@jato/core`. 0 (`Other`) is any other valid
 * token, whose text the batch gives separately.
 */
export const MethodId = Object.freeze({
  Other: 0, Get: 1, Head: 2, Post: 3, Put: 4, Delete: 5, Connect: 6, Options: 7, Trace: 8, Patch: 9,
} as const);

/** A method id (see `MethodId`). */
export type MethodId = (typeof MethodId)[keyof typeof MethodId];

/** Method tokens by id (`METHOD_NAMES[MethodId.Get] === 'GET'`); '' for `Other`. */
export const METHOD_NAMES: readonly string[] = Object.freeze([
  '', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH',
]);

const IDS: ReadonlyMap<string, MethodId> = new Map(
  METHOD_NAMES.map((name, id) => [name, id as MethodId] as const).filter(([name]) => name !== ''),
);

const OTHER = MethodId.Other;

/** The method id of a method token (case-sensitive, as RFC 9110 §9.1 says); `Other` when not well known. */
export function methodIdOf(token: string): MethodId {
  return IDS.get(token) ?? OTHER;
}
