import ora from 'ora';

/**
 * Runs one start-up step with a spinner on a terminal (a plain line
 * otherwise) and reports how long it took.
 */
export async function step<T>(
  title: string,
  run: () => Promise<T>,
  detail?: (value: T) => string,
): Promise<T> {
  const spinner = ora({ text: title, stream: process.stderr }).start();
  const started = performance.now();
  try {
    const value = await run();
    const ms = Math.round(performance.now() - started);
    spinner.succeed(`${title}${detail ? ` — ${detail(value)}` : ''} (${ms} ms)`);
    return value;
  } catch (err) {
    spinner.fail(`${title} — failed`);
    throw err;
  }
}
