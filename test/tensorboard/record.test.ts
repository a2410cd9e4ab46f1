import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { frameRecord, maskedCrc32c, readRecords } from '../../src/tensorboard/record.js';
import { referenceCrc32c, referenceMask, splitRecords } from './wire.js';

test('CRC32C matches the standard check values and the reference implementation', () => {
  assert.equal(referenceCrc32c(Buffer.from('123456789')), 0xe3069283); // RFC 3720 / iSCSI check value
  assert.equal(referenceCrc32c(Buffer.alloc(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
  for (const size of [0, 1, 8, 100, 4096]) {
    const data = randomBytes(size);
    assert.equal(maskedCrc32c(data), referenceMask(referenceCrc32c(data)), `masked CRC of ${size} bytes`);
  }
});

test('frameRecord lays out length, masked length CRC, data, masked data CRC', () => {
  const data = Buffer.from('hello tensorboard');
  const rec = frameRecord(data);
  assert.equal(rec.length, data.length + 16);
  const [raw] = splitRecords(rec);
  assert.equal(raw.length, data.length);
  assert.equal(raw.lengthCrc, referenceMask(referenceCrc32c(rec.subarray(0, 8))));
  assert.deepEqual(raw.data, data);
  assert.equal(raw.dataCrc, referenceMask(referenceCrc32c(data)));
});

function file(...payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.map((p) => frameRecord(p)));
}

test('readRecords returns every record of an intact file, empty payloads included', () => {
  const payloads = [Buffer.alloc(0), Buffer.from([7]), randomBytes(300)];
  const { records, offsets, problem } = readRecords(file(...payloads));
  assert.equal(problem, undefined);
  assert.deepEqual(records.map((r) => Buffer.from(r)), payloads);
  assert.deepEqual(offsets, [0, 16, 33]);
});

test('a file cut anywhere inside its last record keeps the earlier records and reports truncation', () => {
  const payloads = [randomBytes(20), randomBytes(40), randomBytes(30)];
  const whole = file(...payloads);
  const lastStart = 36 + 56;
  for (let cut = lastStart + 1; cut < whole.length; cut++) {
    const { records, problem } = readRecords(whole.subarray(0, cut));
    assert.equal(records.length, 2, `cut at ${cut}`);
    assert.deepEqual(Buffer.from(records[1]), payloads[1]);
    assert.equal(problem?.kind, 'truncated', `cut at ${cut}`);
    assert.equal(problem?.offset, lastStart);
  }
  assert.equal(readRecords(whole.subarray(0, lastStart)).problem, undefined, 'a cut at a boundary is clean');
});

test('a flipped data byte or length byte is reported as corrupt at that record', () => {
  const whole = file(randomBytes(10), randomBytes(10), randomBytes(10));
  const dataFlip = Buffer.from(whole);
  dataFlip[26 + 12 + 3] ^= 0x01;
  let r = readRecords(dataFlip);
  assert.equal(r.records.length, 1);
  assert.equal(r.problem?.kind, 'corrupt');
  assert.match(r.problem!.message, /data CRC mismatch/);
  assert.equal(r.problem?.offset, 26);

  const lengthFlip = Buffer.from(whole);
  lengthFlip[26 + 1] ^= 0x10;
  r = readRecords(lengthFlip);
  assert.equal(r.records.length, 1);
  assert.match(r.problem!.message, /length CRC mismatch/);
});
