/**
 * One operation in flight at a time: while it runs, every caller gets the same promise.
 * Token renewal uses it so that any number of concurrent calls cause one request to the
 * token endpoint — which also keeps refresh-token rotation from seeing a "reuse"
 * (RFC 9700 §4.14.2) that would revoke the whole grant.
 */
export class SingleFlight<T> {
  private pending: Promise<T> | undefined;

  /** True while an operation runs. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Runs `operation` unless one is already running, and returns the running one's result. */
  run(operation: () => Promise<T>): Promise<T> {
    if (this.pending) return this.pending;
    const promise = (async () => operation())().finally(() => {
      if (this.pending === promise) this.pending = undefined;
    });
    this.pending = promise;
    return promise;
  }
}
