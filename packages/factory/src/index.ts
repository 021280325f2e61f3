// Users' symbols first: render and write a template, read templates, validate input.
export { renderTemplate, TargetExistsError, writeScaffold } from './scaffold.js';
export type { Scaffold, StepReport } from './scaffold.js';
export {
  builtInTemplatesDir,
  findTemplate,
  listTemplates,
  readTemplateEntity,
  TemplateFileError,
} from './template/template-entity.js';
export type { ParameterPage, TemplateEntity, TemplateStep } from './template/template-entity.js';
export { InvalidValuesError, validateValues, valueViolations } from './values/validate-values.js';
export type { ValueViolation } from './values/validate-values.js';
export { checkPlacement, CUSTOM_NAMESPACE, placementViolation } from './values/placement.js';
export { parseValues } from './values/parse-values.js';

// For tests and tools that render pieces themselves.
export { createTemplater, TemplateError } from './render/templater.js';
export type { Templater } from './render/templater.js';
export { renderSkeleton } from './render/render-skeleton.js';
export type { RenderedEntry } from './render/render-skeleton.js';
export { parseEntityRef } from './render/entity-ref.js';
export type { CompoundEntityRef } from './render/entity-ref.js';
export { parseRepoUrl } from './render/repo-url.js';
export type { RepoSpec } from './render/repo-url.js';

// For hosts (`ameide dev`): the domain primitives placed in a repository layout.
export { discoverDomains } from './discovery/discover-domains.js';
export type { DiscoveredDomain, DomainPrimitiveModule } from './discovery/discover-domains.js';
export { discoverUiSurfaces } from './discovery/discover-ui-surfaces.js';
export type { DiscoveredUiSurface } from './discovery/discover-ui-surfaces.js';
