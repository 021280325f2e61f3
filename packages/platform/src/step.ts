/**
 * Runs one start-up step and reports it: the CLI shows a spinner line per step
 * (`✔ database — PGlite in … (420 ms)`), `ameide serve` writes a log line.
 */
export type StepReporter = <T>(
  title: string,
  run: () => Promise<T>,
  detail?: (value: T) => string,
) => Promise<T>;

/** Runs the step without reporting it. */
export const silentSteps: StepReporter = (_title, run) => run();
