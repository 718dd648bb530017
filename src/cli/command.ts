/** A `depthseg` sub-command: its name, usage text and the runner (its summary is in main.ts). */
export interface CliCommand {
  readonly name: string;
  readonly usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Writes a result for scripts (--json) or a human line. */
export function printResult(json: boolean, value: unknown, human: string): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}
