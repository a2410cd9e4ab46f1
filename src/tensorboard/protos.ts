/**
 * The protobuf messages of TensorBoard event files, compiled at load time by protobufjs.
 *
 * The definitions below are the subset tfjs-tuner writes or reads, with names and field numbers exactly
 * as upstream (Apache-2.0, tensorflow/tensorboard):
 *   tensorboard/compat/proto/event.proto, summary.proto, histogram.proto, tensor.proto,
 *   tensor_shape.proto, types.proto (DataType values used here), tensorboard/plugins/scalar/plugin_data.proto,
 *   tensorboard/plugins/hparams/api.proto and plugin_data.proto; google.protobuf.Value/ListValue come from
 *   protobufjs's bundled struct.proto.
 * Fields left out (graph_def payloads, resource handles, variants...) are skipped when decoding.
 * JS property names are protobufjs's camelCase forms of the upstream snake_case names.
 */
import protobuf from 'protobufjs';

const TENSORBOARD_PROTO = `
syntax = "proto3";
package tensorboard;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    SessionLog session_log = 7;
    TaggedRunMetadata tagged_run_metadata = 8;
    bytes meta_graph_def = 9;
  }
  SourceMetadata source_metadata = 10;
}

message SourceMetadata {
  string writer = 1;
}

message SessionLog {
  enum SessionStatus {
    STATUS_UNSPECIFIED = 0;
    START = 1;
    STOP = 2;
    CHECKPOINT = 3;
  }
  SessionStatus status = 1;
  string checkpoint_path = 2;
  string msg = 3;
}

message TaggedRunMetadata {
  string tag = 1;
  bytes run_metadata = 2;
}

message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  DataClass data_class = 4;
}

enum DataClass {
  DATA_CLASS_UNKNOWN = 0;
  DATA_CLASS_SCALAR = 1;
  DATA_CLASS_TENSOR = 2;
  DATA_CLASS_BLOB_SEQUENCE = 3;
}

message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Audio {
    float sample_rate = 1;
    int64 num_channels = 2;
    int64 length_frames = 3;
    bytes encoded_audio_string = 4;
    string content_type = 5;
  }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      Image image = 4;
      HistogramProto histo = 5;
      Audio audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

// types.proto: only the values tfjs-tuner writes or reads; others decode as their number.
enum DataType {
  DT_INVALID = 0;
  DT_FLOAT = 1;
  DT_DOUBLE = 2;
  DT_INT32 = 3;
  DT_STRING = 7;
  DT_INT64 = 9;
  DT_BOOL = 10;
}

message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}

message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated int64 int64_val = 10 [packed = true];
  repeated bool bool_val = 11 [packed = true];
}

message ScalarPluginData {
  int32 version = 1;
}
`;

const HPARAMS_PROTO = `
syntax = "proto3";
package tensorboard.hparams;

message Experiment {
  string name = 6;
  string description = 1;
  string user = 2;
  double time_created_secs = 3;
  repeated HParamInfo hparam_infos = 4;
  repeated MetricInfo metric_infos = 5;
}

message HParamInfo {
  string name = 1;
  string display_name = 2;
  string description = 3;
  DataType type = 4;
  oneof domain {
    google.protobuf.ListValue domain_discrete = 5;
    Interval domain_interval = 6;
  }
  bool differs = 7;
}

enum DataType {
  DATA_TYPE_UNSET = 0;
  DATA_TYPE_STRING = 1;
  DATA_TYPE_BOOL = 2;
  DATA_TYPE_FLOAT64 = 3;
}

message Interval {
  double min_value = 1;
  double max_value = 2;
}

message MetricName {
  string group = 1;
  string tag = 2;
}

message MetricInfo {
  MetricName name = 1;
  string display_name = 3;
  string description = 4;
  DatasetType dataset_type = 5;
}

enum DatasetType {
  DATASET_UNKNOWN = 0;
  DATASET_TRAINING = 1;
  DATASET_VALIDATION = 2;
}

enum Status {
  STATUS_UNKNOWN = 0;
  STATUS_SUCCESS = 1;
  STATUS_FAILURE = 2;
  STATUS_RUNNING = 3;
}

message HParamsPluginData {
  int32 version = 1;
  oneof data {
    Experiment experiment = 2;
    SessionStartInfo session_start_info = 3;
    SessionEndInfo session_end_info = 4;
  }
}

message SessionStartInfo {
  map<string, google.protobuf.Value> hparams = 1;
  string model_uri = 2;
  string monitor_url = 3;
  string group_name = 4;
  double start_time_secs = 5;
}

message SessionEndInfo {
  Status status = 1;
  double end_time_secs = 2;
}
`;

function buildRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const struct = protobuf.common.get('google/protobuf/struct.proto');
  if (!struct?.nested) throw new Error('protobufjs is missing its bundled google/protobuf/struct.proto');
  root.addJSON(struct.nested);
  protobuf.parse(TENSORBOARD_PROTO, root);
  protobuf.parse(HPARAMS_PROTO, root);
  root.resolveAll();
  return root;
}

const root = buildRoot();

export const EventMessage = root.lookupType('tensorboard.Event');
export const SummaryMessage = root.lookupType('tensorboard.Summary');
export const ScalarPluginDataMessage = root.lookupType('tensorboard.ScalarPluginData');
export const HParamsPluginDataMessage = root.lookupType('tensorboard.hparams.HParamsPluginData');

/** protobufjs enums, for writing by name. */
export const DataClass = root.lookupEnum('tensorboard.DataClass').values;
export const TensorDataType = root.lookupEnum('tensorboard.DataType').values;
export const HParamDataType = root.lookupEnum('tensorboard.hparams.DataType').values;
export const DatasetType = root.lookupEnum('tensorboard.hparams.DatasetType').values;
export const SessionStatus = root.lookupEnum('tensorboard.hparams.Status').values;

/**
 * Options for `Type.toObject` giving plain JS: int64 as number, enums by name, bytes as Uint8Array, the
 * name of each set oneof member, and proto3 defaults filled in (0, '', [], null for absent messages).
 */
export const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, oneofs: true, defaults: true };

/** Encodes a plain object (camelCase fields) as the given message, after checking it fits the schema. */
export function encodeMessage(type: protobuf.Type, value: Record<string, unknown>): Uint8Array {
  const problem = type.verify(value);
  if (problem) throw new Error(`tensorboard: cannot encode ${type.fullName}: ${problem}`);
  return type.encode(type.fromObject(value)).finish();
}

/** Decodes bytes into a plain object of the given message type. */
export function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array): T {
  return type.toObject(type.decode(bytes), TO_OBJECT) as T;
}
