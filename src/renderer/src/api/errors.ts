/**
 * Errors as the window shows them: the core's own sentence, never a schema dump. Plain
 * TypeScript (tested in Node).
 */

/** The name the core gives a call refused because the window's project is no longer open. */
export const PROJECT_CLOSED = 'ProjectClosedError';

/** A call was refused because this window's project was closed (or replaced) in another window. */
export function isProjectClosed(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // Electron's IPC may keep only the message; the core's sentence says it too.
  return e.name === PROJECT_CLOSED || /this window's project was closed in another window/.test(e.message);
}

/** An Error named like the core's ProjectClosedError (for a call the window refuses itself). */
export function projectClosedError(message: string): Error {
  return Object.assign(new Error(message), { name: PROJECT_CLOSED });
}

const INVALID_PARAMS = /^(?:Error invoking remote method '[^']*': )?(?:\w*Error: )?invalid params for (\w+): (.*)$/s;

/**
 * The message of an error in words. A boundary refusal ("invalid params for trainingStartSeg:
 * settings.steps: must be at least 1") is a bug of the form that sent it (forms check their
 * fields first), but if one slips through the user reads "steps must be at least 1", not the
 * method and schema path. Electron's "Error invoking remote method ..." prefix is dropped.
 */
export function errorText(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const m = INVALID_PARAMS.exec(raw);
  if (m) {
    const parts = m[2]!.split('; ').map((issue) => {
      const i = issue.indexOf(': ');
      if (i < 0) return issue;
      const path = issue.slice(0, i).split('.');
      const field = path.filter((x) => x !== 'settings' && x !== '(params)' && !/^\d+$/.test(x)).pop();
      return field ? `${field} ${issue.slice(i + 2)}` : issue.slice(i + 2);
    });
    return `Not sent: ${parts.join('; ')}`;
  }
  return raw.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '');
}
