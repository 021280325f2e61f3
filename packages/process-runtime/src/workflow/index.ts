// Workflow bundle entry: every export here must be a workflow function (the worker registers
// them by name). Other workflow-side modules are imported by path from the client side.
export { processInstance } from './process-instance.js';
