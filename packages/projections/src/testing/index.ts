// Test support for projections (tests, the crash suite's child process, benchmarks).
export {
  credit,
  foldTally,
  migrateTally,
  readTally,
  TALLY,
  TALLY_EVENT,
  tallyProjection,
} from './tally.js';
