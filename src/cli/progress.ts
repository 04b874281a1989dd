/**
 * A progress bar for long runs on the command line: records, rate and time left, redrawn in place
 * on a terminal, one line every few seconds otherwise (a log file, CI).
 */

/** What the bar shows. */
export interface ProgressState {
  records: number;
  expected?: number;
  ratePerSecond: number;
  etaSeconds?: number;
  label: string;
}

const WIDTH = 30;
const LINE_EVERY_MS = 5000;

function duration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * One line of progress.
 * @param p - the state
 */
export function progressLine(p: ProgressState): string {
  const n = p.records.toLocaleString('en');
  const rate = `${Math.round(p.ratePerSecond).toLocaleString('en')} rec/s`;
  if (!p.expected) return `${p.label} ${n} records  ${rate}`;
  const done = Math.min(1, p.records / p.expected);
  const filled = Math.round(done * WIDTH);
  const eta = p.etaSeconds === undefined ? '' : `  ${duration(p.etaSeconds)} left`;
  return `${p.label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${n}/${p.expected.toLocaleString('en')} ${String(Math.round(done * 100)).padStart(3)}%  ${rate}${eta}`;
}

/**
 * A bar on a stream.
 * @param out - where to draw (stderr)
 */
export function progressBar(out: NodeJS.WriteStream): { update(p: ProgressState): void; done(): void } {
  let last = 0;
  return {
    update(p) {
      if (out.isTTY) {
        out.write(`\r${progressLine(p).padEnd(out.columns ? out.columns - 1 : 100)}`);
        return;
      }
      if (Date.now() - last >= LINE_EVERY_MS) {
        last = Date.now();
        out.write(`${progressLine(p)}\n`);
      }
    },
    done() {
      if (out.isTTY) out.write('\n');
    },
  };
}
