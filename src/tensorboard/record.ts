/**
 * TFRecord framing, the container of TensorBoard event files (tensorboard/summary/writer/record_writer.py):
 *   uint64 LE length | uint32 LE masked CRC32C(length bytes) | data | uint32 LE masked CRC32C(data)
 * CRC32C comes from @node-rs/crc32 (native, maintained) rather than a hand-rolled table.
 */
import { crc32c } from '@node-rs/crc32';

const MASK_DELTA = 0xa282ead8;
/** Bytes a record adds around its payload: 8 (length) + 4 (length CRC) + 4 (data CRC). */
export const RECORD_OVERHEAD = 16;

/** The "masked" CRC32C TFRecord stores, so that CRCs of data that itself holds CRCs stay well spread. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes) >>> 0;
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** One complete record, header and both CRCs included, ready for a single write call. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(data.length + RECORD_OVERHEAD);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Why reading stopped before the end of the bytes. */
export interface RecordProblem {
  /** Byte offset of the record that could not be read. */
  offset: number;
  /**
   * `truncated`: the file ends inside this record (a writer still running, or killed mid-write);
   * `corrupt`: a CRC does not match, so this record and everything after it are untrustworthy.
   */
  kind: 'truncated' | 'corrupt';
  message: string;
}

export interface RecordReadResult {
  /** Payloads of the records that passed both CRC checks, in file order. */
  records: Uint8Array[];
  /** Byte offset of each record in `records`. */
  offsets: number[];
  /** Set when reading stopped early; the records before it are intact and still returned. */
  problem?: RecordProblem;
}

/**
 * Splits TFRecord bytes into payloads, checking both masked CRCs of every record. A short or damaged
 * last record is reported in `problem` instead of throwing, so the intact records are never lost.
 */
export function readRecords(bytes: Uint8Array): RecordReadResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  const offsets: number[] = [];
  let pos = 0;
  const stop = (kind: RecordProblem['kind'], message: string): RecordReadResult => ({
    records,
    offsets,
    problem: { offset: pos, kind, message: `record at byte ${pos}: ${message}` },
  });
  while (pos < buf.length) {
    if (buf.length - pos < 12) return stop('truncated', `only ${buf.length - pos} of its 12 header bytes are present`);
    const lengthBytes = buf.subarray(pos, pos + 8);
    if (buf.readUInt32LE(pos + 8) !== maskedCrc32c(lengthBytes)) return stop('corrupt', 'length CRC mismatch');
    const length = buf.readBigUInt64LE(pos);
    const afterHeader = buf.length - pos - 12;
    if (length + 4n > BigInt(afterHeader)) {
      return stop('truncated', `declares ${length} data bytes + 4 CRC bytes but only ${afterHeader} bytes follow its header`);
    }
    const n = Number(length);
    const data = buf.subarray(pos + 12, pos + 12 + n);
    if (buf.readUInt32LE(pos + 12 + n) !== maskedCrc32c(data)) return stop('corrupt', 'data CRC mismatch');
    records.push(data);
    offsets.push(pos);
    pos += n + RECORD_OVERHEAD;
  }
  return { records, offsets };
}
