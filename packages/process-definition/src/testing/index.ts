export { generateProcessDefinition } from './generate-process-definition.js';
export { SALES_SERVICES, salesServiceRegistry } from './sales-service-registry.js';
