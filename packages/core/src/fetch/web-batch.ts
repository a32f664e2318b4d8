import { METHOD_NAMES, MethodId, methodIdOf, RequestFlag, type RequestBatch } from '@jato/native-loop';

/**
 * A one-request `RequestBatch` made from the parts of a Web Request (for `app.fetch`): the same
 * interface the transports give the dispatcher.
 * @internal
 */
export class WebBatch implements RequestBatch {
  readonly count = 1;
  private readonly id: MethodId;

  constructor(
    private readonly connId: number,
    private readonly name: string,
    private readonly requestTarget: string,
    private readonly lines: readonly string[],
    private readonly bodyBytes: Uint8Array,
    private readonly requestFlags: number,
  ) {
    const id = methodIdOf(name);
    this.id = id !== MethodId.Other && METHOD_NAMES[id] === name ? id : MethodId.Other;
  }

  conn(): number {
    return this.connId;
  }
  seq(): number {
    return 0;
  }
  method(): MethodId {
    return this.id;
  }
  methodName(): string {
    return this.name;
  }
  flags(): number {
    return this.requestFlags;
  }
  target(): string {
    return this.requestTarget;
  }
  headerCount(): number {
    return this.lines.length / 2;
  }
  headerName(_i: number, j: number): string {
    return this.lines[2 * j]!;
  }
  headerValue(_i: number, j: number): string {
    return this.lines[2 * j + 1]!;
  }
  headerLines(): readonly string[] {
    return this.lines;
  }
  body(): Uint8Array {
    return this.bodyBytes;
  }
}

/** Flags of a request made by `app.fetch` (HTTP/1.1, keep-alive). @internal */
export const WEB_FLAGS = RequestFlag.KeepAlive;
