import { createRequire } from 'node:module';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}
interface ProtoRoot {
  lookupType(name: string): { fromObject(o: unknown): unknown };
}

// `historyToJSON`/`historyFromJSON` of @temporalio/common run protobufjs' protojson of common's
// own protobufjs copy on types of @temporalio/proto's copy; when npm installs two copies (it
// does here: grpc's proto-loader pins protobufjs 7 at the root) its `instanceof Type` check
// fails. So the conversion uses the protobufjs that @temporalio/proto itself loads.
const fromCommon = createRequire(createRequire(import.meta.url).resolve('@temporalio/common'));
const protoMain = fromCommon.resolve('@temporalio/proto');
const fromProto = createRequire(protoMain);
const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const { patchProtobufRoot } = fromProto('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot: (root: unknown) => ProtoRoot;
};
const historyType = patchProtobufRoot(fromProto('@temporalio/proto')).lookupType(
  'temporal.api.history.v1.History',
);

/** A workflow history in the proto3 JSON form `temporal workflow show --output json` prints. */
export function historyToJson(history: History): unknown {
  return protojson.toJson(historyType, historyType.fromObject(history));
}

/** Parses a history saved by {@link historyToJson} (or the temporal CLI) into the proto object. */
export function historyFromJson(json: unknown): History {
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (history === null) throw new TypeError('not a workflow history');
  return history;
}
