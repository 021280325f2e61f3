// Test and benchmark support (not part of the CLI's API): `ameide dev` as a child process.
export { ameideBin, startDevProcess } from './dev-process.js';
export type { DevProcess, DevProcessOptions } from './dev-process.js';
