/**
 * A caller that takes the runtime's streamed `/response` as it arrives (a streaming front door, or
 * {@link RuntimeApiEmulator.invokeStream}). The Runtime API side calls {@link begin} once when a
 * streamed upload starts, then {@link write} for each piece of the body; how the invocation ended
 * (success, the error trailers, a cut or truncated stream) comes as the invocation's result. A
 * buffered `/response` or an `/error` never reaches the target: the result carries it whole.
 */
export interface StreamedResponseTarget {
  /** A streamed upload started with this `Content-Type` (`undefined` when the runtime sent none). */
  begin(contentType: string | undefined): void;
  /**
   * Body bytes, in order, as they arrived. The emulator reads no further from the runtime until the
   * promise resolves, so a slow caller slows the runtime down (backpressure).
   */
  write(bytes: Buffer): Promise<void>;
}

/** Registers the streaming caller of a request id while its invocation runs. */
export class StreamedResponseTargets {
  readonly #targets = new Map<string, StreamedResponseTarget>();

  /** The target of `requestId`, if its caller streams. */
  get(requestId: string): StreamedResponseTarget | undefined {
    return this.#targets.get(requestId);
  }

  /** Runs `invoke` with `target` registered for `requestId`, and unregisters it when it settles. */
  async with<T>(requestId: string, target: StreamedResponseTarget, invoke: () => Promise<T>): Promise<T> {
    this.#targets.set(requestId, target);
    try {
      return await invoke();
    } finally {
      this.#targets.delete(requestId);
    }
  }
}
