/**
 * Errors the user can act on. Each names the file (or folder) it is about and what is wrong,
 * so the CLI and the UI can show it as it is.
 */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
    this.name = 'DataError';
  }
}

/** A problem with the project store (database or files beside it). */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Bad arguments or settings given by the user (CLI flag, API call). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A training run has no checkpoint yet, so there is no model of it to show or start from. */
export class NoCheckpointError extends UsageError {
  constructor(readonly runId: number, detail = 'nothing to show') {
    super(`training run ${runId} has no checkpoint yet: ${detail}`);
    this.name = 'NoCheckpointError';
  }
}

/**
 * A call names a project that is no longer open in this process (another window closed it or
 * opened another project). The window should offer to reopen it; nothing was read or written.
 */
export class ProjectClosedError extends Error {
  constructor(readonly projectId: number) {
    super("this window's project was closed in another window: reopen it to go on (nothing was saved or changed by this action)");
    this.name = 'ProjectClosedError';
  }
}

/** A signed-in caller's role does not allow the call (team server); nothing was read or written. */
export class NotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAllowedError';
  }
}
