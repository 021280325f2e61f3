import { Writable } from 'node:stream';
import { createLogger, type Logger, type PrimitiveIdentity } from '../logging/logger.js';

/** A logger that drops every line (tests that do not look at logs). */
export function createSilentLogger(
  primitive: PrimitiveIdentity = { type: 'platform', name: 'test' },
): Logger {
  return createLogger({
    primitive,
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
}
