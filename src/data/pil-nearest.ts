/**
 * PIL's NEAREST resize (Image.resize -> ImagingScaleAffine), reproduced exactly: output pixel x takes
 * source column floor((x + 0.5) * inW / outW), with the position accumulated in doubles the way PIL
 * does (start at scale / 2, add scale per pixel), so ties land on the same side as in PIL. A crop box
 * (Keras's keep_aspect_ratio) scales (x1 - x0) / out and starts at x0, as PIL's resize(box=) does.
 */
function sourceIndex(inSize: number, outSize: number, in0: number, in1: number): Int32Array {
  const scale = (in1 - in0) / outSize;
  const table = new Int32Array(outSize);
  let pos = in0 + scale * 0.5;
  for (let i = 0; i < outSize; i++) {
    // Positions are >= 0 and < inSize up to rounding; clamp the last one like PIL's bounds check keeps it inside.
    table[i] = Math.min(inSize - 1, Math.trunc(pos));
    pos += scale;
  }
  return table;
}

/** Resizes interleaved HWC uint8 pixels with PIL's nearest-neighbour rule. */
export function resizeNearestPil(
  src: Uint8Array,
  inW: number,
  inH: number,
  channels: number,
  outW: number,
  outH: number,
  box: readonly [number, number, number, number] = [0, 0, inW, inH],
): Uint8Array {
  const xs = sourceIndex(inW, outW, box[0], box[2]);
  const ys = sourceIndex(inH, outH, box[1], box[3]);
  const out = new Uint8Array(outW * outH * channels);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    const row = ys[y] * inW;
    for (let x = 0; x < outW; x++) {
      const s = (row + xs[x]) * channels;
      for (let c = 0; c < channels; c++) out[o++] = src[s + c];
    }
  }
  return out;
}
