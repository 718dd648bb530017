/**
 * A progress line for long CLI work: step, total, rate, ETA and any extra fields (loss...).
 * On a terminal it redraws one line on stderr; otherwise it prints a line now and then, so
 * logs stay readable. Silent when `quiet` (e.g. --json output).
 */
export interface ProgressReporter {
  update(done: number, extra?: Record<string, string | number>): void;
  finish(message?: string): void;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

export function createProgress(
  label: string,
  total: number,
  opts: { quiet?: boolean; stream?: NodeJS.WriteStream; now?: () => number } = {},
): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const start = now();
  let lastPrint = -Infinity;
  const line = (done: number, extra?: Record<string, string | number>): string => {
    const elapsed = (now() - start) / 1000;
    const rate = done > 0 ? elapsed / done : NaN;
    const eta = done > 0 ? rate * (total - done) : NaN;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    const width = 24;
    const filled = total > 0 ? Math.round((width * done) / total) : width;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const fields = extra
      ? Object.entries(extra)
          .map(([k, v]) => `${k} ${typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
          .join('  ')
      : '';
    return `${label} ${bar} ${done}/${total} ${pct}%  ETA ${formatDuration(eta)}${fields ? `  ${fields}` : ''}`;
  };
  return {
    update(done, extra) {
      if (opts.quiet) return;
      const t = now();
      if (tty) {
        if (t - lastPrint < 100 && done < total) return;
        stream.write(`\r${line(done, extra)}\x1b[K`);
      } else {
        if (t - lastPrint < 5000 && done < total) return;
        stream.write(`${line(done, extra)}\n`);
      }
      lastPrint = t;
    },
    finish(message) {
      if (opts.quiet) return;
      if (tty) stream.write('\n');
      if (message) stream.write(`${message}\n`);
    },
  };
}
