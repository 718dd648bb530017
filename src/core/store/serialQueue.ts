/**
 * Runs tasks one at a time in the order they were queued: an SQLite connection is one
 * session, so a transaction that awaits between its statements must have the connection to
 * itself until it commits, and statements from elsewhere in the process wait their turn.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
