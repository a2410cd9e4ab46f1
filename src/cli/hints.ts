/**
 * The library's errors name library options (`onError: 'skip'`, `overwrite: true`); printed by the CLI
 * they must name the CLI's flags instead, so that the hint can be followed on the surface it is read on.
 */
const REWRITES: [RegExp, string | ((...m: string[]) => string)][] = [
  [/onError: 'skip'/g, '--on-error skip'],
  [/onError: 'raise'/g, '--on-error raise'],
  [/raise "maxImagePixels"/g, 'raise --max-image-pixels'],
  [/"maxImagePixels"/g, '--max-image-pixels'],
  [/classes: \[negative, positive\]/g, '--classes negative,positive'],
  [/classes: \[([^\]]*)\]/g, (_m, list) => `--classes ${list.replace(/["'\s]/g, '')}`],
  [/"classes"/g, '--classes'],
  [/overwrite: true/g, '--overwrite'],
  [/^overwrite: /, '--overwrite: '],
  [/another projectName/g, 'another --project-name'],
  [/workers: 1\b/g, '--workers 1'],
  [/"targetSize"/g, '--image-size'],
  [/"batchSize"/g, '--batch-size'],
];

/** `message` with every library option hint replaced by the CLI flag that does the same. */
export function cliMessage(message: string): string {
  return REWRITES.reduce((m, [re, flag]) => m.replace(re, flag as string), message);
}
