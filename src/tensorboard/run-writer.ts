/**
 * Summaries for one TensorBoard run (one directory). Opens its event file on the first write, so a run
 * that never gets data (e.g. `validation/` without validation data) leaves no empty directory behind.
 *
 * Scalars are written the way TF2 Keras writes them: a rank-0 DT_FLOAT tensor whose metadata names the
 * `scalars` plugin (data class SCALAR); like TensorFlow, metadata rides only on a tag's first value
 * in each file. TensorBoard reads these and legacy `simple_value` scalars alike.
 */
import { EventFileWriter, nowSeconds } from './event-file-writer.js';
import { DataClass, ScalarPluginDataMessage, TensorDataType, encodeMessage } from './protos.js';

/** `{}` is TensorFlow's shape of a scalar (no dims). */
function scalarTensor(value: number): Record<string, unknown> {
  return { dtype: TensorDataType.DT_FLOAT, tensorShape: {}, floatVal: [value] };
}

/** The tensor TensorBoard's hparams summaries carry: a length-0 float vector (hparams/metadata.py). */
export const NULL_TENSOR: Readonly<Record<string, unknown>> = Object.freeze({
  dtype: TensorDataType.DT_FLOAT,
  tensorShape: { dim: [{ size: 0 }] },
});

const SCALAR_PLUGIN_CONTENT = encodeMessage(ScalarPluginDataMessage, { version: 0 });

export class RunWriter {
  private file: EventFileWriter | null = null;
  private tagsWithMetadata = new Set<string>();

  constructor(readonly dir: string) {}

  /** The current event file's path, or null before the first write / after close. */
  get path(): string | null {
    return this.file?.path ?? null;
  }

  private open(): EventFileWriter {
    if (!this.file) {
      this.file = new EventFileWriter(this.dir);
      this.tagsWithMetadata.clear();
    }
    return this.file;
  }

  /** Writes the scalars of one step as one event (one record). Non-numbers are refused by name. */
  scalars(step: number, values: Record<string, number>, wallTime?: number): void {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    for (const [tag, v] of entries) {
      if (typeof v !== 'number') throw new TypeError(`tensorboard: scalar "${tag}" must be a number, got ${typeof v}`);
    }
    const file = this.open();
    wallTime ??= nowSeconds();
    const value = entries.map(([tag, v]) => {
      const first = !this.tagsWithMetadata.has(tag);
      this.tagsWithMetadata.add(tag);
      return {
        tag,
        tensor: scalarTensor(v),
        ...(first && {
          metadata: {
            pluginData: { pluginName: 'scalars', content: SCALAR_PLUGIN_CONTENT },
            dataClass: DataClass.DATA_CLASS_SCALAR,
          },
        }),
      };
    });
    file.write({ wallTime, step, summary: { value } });
  }

  /** Writes one plugin summary whose payload lives in its metadata (hparams), at step 0. */
  pluginSummary(tag: string, pluginName: string, content: Uint8Array, wallTime?: number): void {
    const file = this.open();
    file.write({
      wallTime: wallTime ?? nowSeconds(),
      step: 0,
      summary: {
        value: [{
          tag,
          metadata: { pluginData: { pluginName, content }, dataClass: DataClass.DATA_CLASS_TENSOR },
          tensor: NULL_TENSOR,
        }],
      },
    });
  }

  /** Records are already with the OS; see EventFileWriter.flush. */
  flush(): void {
    this.file?.flush();
  }

  /** Closes the file; a later write opens a new one in the same run. */
  close(): void {
    this.file?.close();
    this.file = null;
  }
}
