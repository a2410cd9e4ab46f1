/**
 * sharp, loaded on first use: a trial worker gets its pixels already decoded (in shared memory) and
 * never needs it, and loading the native module costs each thread ~60 ms of CPU at start-up.
 */
import type Sharp from 'sharp';

export type SharpFunction = typeof Sharp;

let loading: Promise<SharpFunction> | undefined;

export function loadSharp(): Promise<SharpFunction> {
  loading ??= import('sharp').then((m) => {
    const sharp = m.default;
    // sharp's operation cache only holds memory when every file is read once per epoch.
    sharp.cache(false);
    return sharp;
  });
  return loading;
}
