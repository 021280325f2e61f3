export { AmeideError, ErrorCode, isAmeideError, isErrorCode } from './ameide-error.js';
export type { AmeideErrorOptions, FieldViolation, VersionConflict } from './ameide-error.js';
export { toConnectError, fromConnectError } from './connect-mapping.js';
