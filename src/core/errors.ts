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
