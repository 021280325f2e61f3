/**
 * Benchmark helpers. The machine is shared and noisy, so a figure is only
 * meaningful next to a baseline measured in the same run: `compare` runs the
 * baseline and the candidate in alternating rounds and reports medians.
 */

export interface Sample {
  /** Operations per second, median over rounds. */
  readonly opsPerSec: number;
  /** Mean time per operation in microseconds (from the median round). */
  readonly usPerOp: number;
}

export interface Comparison {
  readonly baseline: Sample;
  readonly candidate: Sample;
  /** candidate time / baseline time (lower is better; 1.0 = same cost). */
  readonly timeRatio: number;
}

export type Operation = () => unknown;

async function timeRound(op: Operation, opsPerRound: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < opsPerRound) {
      next++;
      await op();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

/** The median of `xs` (mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface CompareOptions {
  readonly opsPerRound: number;
  readonly rounds?: number;
  readonly warmupOps?: number;
  readonly concurrency?: number;
}

/** Alternates baseline and candidate rounds; returns medians and the time ratio. */
export async function compare(
  baseline: Operation,
  candidate: Operation,
  options: CompareOptions,
): Promise<Comparison> {
  const rounds = options.rounds ?? 7;
  const concurrency = options.concurrency ?? 1;
  const warm = options.warmupOps ?? Math.ceil(options.opsPerRound / 4);
  await timeRound(baseline, warm, concurrency);
  await timeRound(candidate, warm, concurrency);
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await timeRound(baseline, options.opsPerRound, concurrency));
    c.push(await timeRound(candidate, options.opsPerRound, concurrency));
  }
  const bm = median(b);
  const cm = median(c);
  const sample = (ms: number): Sample => ({
    opsPerSec: (options.opsPerRound / ms) * 1000,
    usPerOp: (ms * 1000) / options.opsPerRound,
  });
  return { baseline: sample(bm), candidate: sample(cm), timeRatio: cm / bm };
}

/** Times one operation `rounds` times; returns the median in ms. */
export async function medianMs(op: Operation, rounds = 5): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await op();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** Prints `name: value unit (ratio vs baseline)`, the one format of every figure. */
export function report(
  name: string,
  value: number,
  unit: string,
  ratio: number,
  baselineName: string,
): void {
  const v = value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  console.log(`${name}: ${v} ${unit} (${ratio.toFixed(2)}x vs ${baselineName})`);
}
