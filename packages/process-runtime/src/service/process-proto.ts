// The ameide.process.v1 contract. Until `@ameide/proto`'s index exports
// `gen/ameide/process/v1/process_service_pb.js` (an edit owned by the proto package), the
// generated module is re-exported from here, in this one place; switch this file to
// `export * from '@ameide/proto'`-style named imports once it does.
export * from '../../../proto/src/gen/ameide/process/v1/process_service_pb.js';
