import type { Socket } from 'node:net';
import type { ConnectionSink } from './sink.js';

/** A ConnectionSink over a node:net socket: several pieces go out corked, as one writev. */
export class SocketSink implements ConnectionSink {
  constructor(private readonly socket: Socket) {}

  write(pieces: ReadonlyArray<string | Uint8Array>): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (pieces.length === 1) {
      socket.write(pieces[0]!);
      return;
    }
    socket.cork();
    for (const piece of pieces) socket.write(piece);
    socket.uncork();
  }

  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  get queuedBytes(): number {
    // libuv's queue shrinks as the kernel takes bytes, even inside one large write.
    const handle = (this.socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle;
    return this.socket.writableLength + (handle?.writeQueueSize ?? 0);
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    // Keep reading (and discarding) so the peer's unread requests do not turn our close into a reset.
    this.socket.resume();
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
