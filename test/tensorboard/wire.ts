/**
 * Test-only, independent decoders: a protobuf wire-format walker and a bitwise CRC32C, so the tests
 * check the writer's bytes against upstream field numbers without going through protobufjs or
 * @node-rs/crc32 (which the writer uses).
 */

export interface WireField {
  no: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  varint?: bigint;
  bytes?: Buffer;
}

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('varint runs past the end');
    const b = buf[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

export function parseWire(data: Uint8Array): WireField[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    pos = p1;
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      out.push({ no, wire, varint: v });
      pos = p2;
    } else if (wire === 1) {
      out.push({ no, wire, bytes: buf.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      out.push({ no, wire, bytes: buf.subarray(p2, p2 + Number(len)) });
      pos = p2 + Number(len);
    } else if (wire === 5) {
      out.push({ no, wire, bytes: buf.subarray(pos, pos + 4) });
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire} for field ${no}`);
    }
  }
  if (pos !== buf.length) throw new Error('message overruns its bytes');
  return out;
}

/** All occurrences of field `no`. */
export function fields(msg: WireField[], no: number): WireField[] {
  return msg.filter((f) => f.no === no);
}

/** The single occurrence of field `no` (throws if absent or repeated). */
export function field(msg: WireField[], no: number): WireField {
  const found = fields(msg, no);
  if (found.length !== 1) throw new Error(`expected one field ${no}, found ${found.length}`);
  return found[0];
}

export const str = (f: WireField): string => f.bytes!.toString('utf8');
export const sub = (f: WireField): WireField[] => parseWire(f.bytes!);
export const f64 = (f: WireField): number => f.bytes!.readDoubleLE(0);
export const num = (f: WireField): number => Number(f.varint!);
/** A packed repeated float field. */
export const packedF32 = (f: WireField): number[] =>
  Array.from({ length: f.bytes!.length / 4 }, (_, i) => f.bytes!.readFloatLE(i * 4));

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32C (Castagnoli), reflected, the reference way. */
export function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) crc = TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's mask, written out from record_writer.py's formula. */
export function referenceMask(crc: number): number {
  const rotated = ((crc >>> 15) | (crc << 17)) >>> 0;
  return (rotated + 0xa282ead8) % 2 ** 32;
}

export interface RawRecord { offset: number; length: number; lengthCrc: number; data: Buffer; dataCrc: number }

/** Splits a complete TFRecord file by hand, asserting nothing (the tests assert). */
export function splitRecords(file: Buffer): RawRecord[] {
  const out: RawRecord[] = [];
  let pos = 0;
  while (pos < file.length) {
    const length = Number(file.readBigUInt64LE(pos));
    out.push({
      offset: pos,
      length,
      lengthCrc: file.readUInt32LE(pos + 8),
      data: file.subarray(pos + 12, pos + 12 + length),
      dataCrc: file.readUInt32LE(pos + 12 + length),
    });
    pos += 16 + length;
  }
  return out;
}
