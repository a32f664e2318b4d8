/** Options of `req.stream()`. */
export interface StreamOptions {
  /**
   * Each chunk is valid only until the next one is asked for (or the iteration ends): its memory may
   * then hold later bytes. Lets the native loop reuse its connection's body buffers (less CPU per MiB
   * uploaded). Default false: every chunk is the caller's to keep.
   */
  borrowed?: boolean;
}
