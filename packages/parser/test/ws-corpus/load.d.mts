export interface WsCase {
  file: string;
  name: string;
  raw: Buffer;
  limits: { maxMessage: number; requireMask: boolean; allowRsv1: boolean };
  events: string[];
}
export function fnv1a(bytes: Uint8Array): string;
export function payloadOf(spec: unknown): Buffer;
export function frameBytes(f: unknown): Buffer;
export function eventString(kind: string, bytes: Uint8Array | null, code?: number): string;
export function expectedEvent(e: unknown): string;
export function loadWsCorpus(dir?: string): WsCase[];
export function wsCorpusToTsv(dir?: string): string;
