/**
 * A minimal BMP reader: sharp's prebuilt libvips has no BMP loader. Handles the common uncompressed
 * files (1/4/8-bit palette, 24-bit, 32-bit BI_RGB or BI_BITFIELDS with the usual masks), bottom-up
 * and top-down. Returns interleaved RGB for sharp's raw input.
 */
export interface RawRgb {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export function isBmp(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x42 && buf[1] === 0x4d;
}

export function decodeBmp(buf: Buffer, maxPixels: number): RawRgb {
  if (buf.length < 54 || !isBmp(buf)) throw new Error('not a BMP file (bad header)');
  const dataOffset = buf.readUInt32LE(10);
  const headerSize = buf.readUInt32LE(14);
  if (headerSize < 40) throw new Error(`unsupported BMP header (size ${headerSize})`);
  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const bpp = buf.readUInt16LE(28);
  const compression = buf.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw new Error(`bad BMP size ${width}x${rawHeight}`);
  if (width * height > maxPixels) throw new Error('Input image exceeds pixel limit');
  if (!(compression === 0 || (compression === 3 && (bpp === 32 || bpp === 16)))) {
    throw new Error(`compressed BMP (compression ${compression}) is not supported; convert it to PNG`);
  }
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new Error(`${bpp}-bit BMP is not supported; convert it to PNG`);
  const topDown = rawHeight < 0;
  const rowBytes = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + rowBytes * height > buf.length) throw new Error('BMP file is truncated');
  let palette: Buffer | null = null;
  if (bpp <= 8) {
    const colors = buf.readUInt32LE(46) || 1 << bpp;
    palette = buf.subarray(14 + headerSize, 14 + headerSize + colors * 4);
  }
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const srcRow = dataOffset + (topDown ? y : height - 1 - y) * rowBytes;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (bpp === 24 || bpp === 32) {
        const s = srcRow + x * (bpp >> 3);
        out[o] = buf[s + 2];
        out[o + 1] = buf[s + 1];
        out[o + 2] = buf[s];
      } else {
        const bit = x * bpp;
        const byte = buf[srcRow + (bit >> 3)];
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const p = idx * 4;
        out[o] = palette![p + 2] ?? 0;
        out[o + 1] = palette![p + 1] ?? 0;
        out[o + 2] = palette![p] ?? 0;
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
