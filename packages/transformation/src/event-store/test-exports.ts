// Internal symbols the event-store tests use (not part of the package API).
export { appendToStream, readAll } from './event-store.js';
export { START, comparePositions as comparePositionsForTest } from './position.js';
export type { Position } from './position.js';
