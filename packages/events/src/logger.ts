/** The slice of a pino logger the event plumbing writes to. */
export interface EventsLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
  error(details: Record<string, unknown>, message: string): void;
}

/** Writes nothing. */
export const silentLogger: EventsLogger = { info: () => {}, warn: () => {}, error: () => {} };
