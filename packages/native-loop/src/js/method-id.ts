import { MethodId } from '../types.js';

const IDS: Record<string, MethodId> = {
  GET: MethodId.Get,
  HEAD: MethodId.Head,
  POST: MethodId.Post,
  PUT: MethodId.Put,
  DELETE: MethodId.Delete,
  CONNECT: MethodId.Connect,
  OPTIONS: MethodId.Options,
  TRACE: MethodId.Trace,
  PATCH: MethodId.Patch,
};

/** The batch-table method id of a method token (case-sensitive, as RFC 9110 says). */
export function methodIdOf(token: string): MethodId {
  return IDS[token] ?? MethodId.Other;
}
