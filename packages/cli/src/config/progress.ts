import ora, { type Ora } from 'ora';

// Steps may run at once (`ameide dev` starts Temporal while it opens the
// database): one spinner names the steps still running, and each step prints
// its line when it ends.
const running = new Map<number, string>();
let spinner: Ora | undefined;
let nextId = 0;
// As ora decides it, made explicit: it does not spin without a terminal.
const interactive =
  process.stderr.isTTY && process.env['TERM'] !== 'dumb' && !('CI' in process.env);

/**
 * Runs one start-up step with a spinner on a terminal (a plain line
 * otherwise) and reports how long it took.
 */
export async function step<T>(
  title: string,
  run: () => Promise<T>,
  detail?: (value: T) => string,
): Promise<T> {
  const id = nextId++;
  running.set(id, title);
  const s = (spinner ??= ora({ stream: process.stderr, isEnabled: interactive }));
  // Without a terminal a start prints `- title`.
  if (interactive) spin(s);
  else ora({ stream: process.stderr, isEnabled: false, text: title }).start();
  const started = performance.now();
  const end = (succeeded: boolean, text: string): void => {
    running.delete(id);
    if (succeeded) s.succeed(text);
    else s.fail(text);
    if (interactive) spin(s);
  };
  try {
    const value = await run();
    const ms = Math.round(performance.now() - started);
    end(true, `${title}${detail ? ` — ${detail(value)}` : ''} (${ms} ms)`);
    return value;
  } catch (err) {
    end(false, `${title} — failed`);
    throw err;
  }
}

function spin(s: Ora): void {
  if (running.size === 0) return;
  s.text = [...running.values()].join(', ');
  if (!s.isSpinning) s.start();
}
