import { parseBackendChoice, type EngineOptions } from '../core/engine/backend';
import { UsageError } from '../core/errors';

/** The flags every training command takes to choose the engine. */
export const ENGINE_FLAGS = { backend: 'string', threads: 'number' } as const;

export const ENGINE_USAGE = `  --backend B      auto|node-gpu|node|wasm|cpu (default: DEPTHSEG_BACKEND, else auto)
  --threads N      compute threads for wasm (default: DEPTHSEG_THREADS, else every core)`;

/**
 * Engine options from the command line, then the project's setting `engine.backend`, then the
 * environment (handled by initEngine).
 */
export function engineOptions(flags: { backend?: string; threads?: number }, projectSetting?: unknown): EngineOptions {
  const opts: EngineOptions = {};
  if (flags.backend) opts.backend = parseBackendChoice(flags.backend, '--backend');
  else if (typeof projectSetting === 'string') opts.backend = parseBackendChoice(projectSetting, 'project setting engine.backend');
  if (flags.threads !== undefined) {
    if (!Number.isInteger(flags.threads) || flags.threads < 1) throw new UsageError(`--threads must be a positive integer (got ${flags.threads})`);
    opts.threads = flags.threads;
  }
  return opts;
}
