export { generateProcessDefinition } from './generate-process-definition.js';
export { generateBpmnCollaboration } from './generate-bpmn-collaboration.js';
export type { GenerateBpmnCollaborationOptions } from './generate-bpmn-collaboration.js';
export { compareBpmn } from './compare-bpmn.js';
export type { BpmnDifference } from './compare-bpmn.js';
export { SALES_SERVICES, salesServiceRegistry } from './sales-service-registry.js';
