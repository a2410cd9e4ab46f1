/**
 * Records (the rows of a parsed CSV, a "dataframe") to a file index and targets, with Keras's
 * flow_from_dataframe rules: check the columns, drop rows whose file is missing or not an image,
 * keep only the wanted classes, then take the subset by position.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataConfigError } from './errors.js';
import { compareCodePoints, hasImageExtension, IMAGE_EXTENSIONS, type FileIndex, type IndexedFile, type Subset } from './file-index.js';

/** One row: column name to value. */
export type DataFrameRecord = Readonly<Record<string, unknown>>;

/**
 * How targets are made from `yCol`: 'categorical' one-hot (multi-hot for rows with a list of labels),
 * 'binary' 0/1, 'sparse' the class index, 'raw' the numbers as they are, 'multi_output' one target per
 * column, 'input' the images, null none.
 */
export type DataFrameClassMode = 'categorical' | 'binary' | 'sparse' | 'input' | 'raw' | 'multi_output' | null;
const MODES = ['categorical', 'binary', 'sparse', 'input', 'raw', 'multi_output', null] as const;
const CLASS_LABEL_MODES: ReadonlySet<DataFrameClassMode> = new Set(['categorical', 'binary', 'sparse']);

export interface DataFrameColumns {
  /** Folder the `xCol` paths are relative to; null: the paths as given (absolute, or from the working directory). */
  directory: string | null;
  xCol: string;
  yCol: string | readonly string[];
  weightCol: string | null;
  classes?: readonly string[];
  classMode: DataFrameClassMode;
  validateFilenames: boolean;
  subset: Subset | null;
  validationSplit: number;
}

/** The rows kept, as files and targets, in row order. */
export interface DataFrameIndex {
  index: FileIndex;
  classNames: string[];
  /** Per kept row: the class index, or the class indices of a row given a list of labels. */
  classes: Array<number | number[]>;
  /** Per target (one for 'raw', one per column for 'multi_output'): row-major values and the width of one row. */
  targets: Array<{ values: Float32Array; width: number; shape: number[]; column: string | readonly string[] }>;
  weights: Float32Array | null;
  /** "Found N validated image filenames ..." */
  message: string;
}

const rowName = (i: number) => `row ${i}`;
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'undefined' : JSON.stringify(v) ?? String(v));

/** A number, or a string holding one (CSV parsers give strings). NaN when it is neither. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function checkMode(mode: unknown): DataFrameClassMode {
  const m = mode === undefined ? 'categorical' : mode === 'none' ? null : mode;
  if (!(MODES as readonly unknown[]).includes(m)) {
    throw new DataConfigError(`Unknown classMode ${show(mode)}. Use one of: categorical, binary, sparse, raw, multi_output, input, or null for images only.`);
  }
  return m as DataFrameClassMode;
}

function need(rows: readonly DataFrameRecord[], col: string, option: string): void {
  rows.forEach((r, i) => {
    if (!(col in r)) {
      const have = Object.keys(r);
      throw new DataConfigError(
        `flowFromDataframe(): ${rowName(i)} has no column "${col}" (${option}). Its columns: ${have.length ? have.map((c) => `"${c}"`).join(', ') : 'none'}. ` +
          `Pass ${option}: '<column name>' naming the right column, or fix the row.`,
      );
    }
  });
}

/** Numbers of column `col` (one value per row, or a fixed-length list of them) as a row-major array. */
/** The shape of a (nested) list, or null when it is ragged; [] for a scalar. */
function shapeOf(v: unknown): number[] | null {
  if (!Array.isArray(v)) return [];
  if (v.length === 0) return [0];
  const inner = v.map(shapeOf);
  const first = inner[0];
  if (first === null || inner.some((s) => s === null || s.length !== first.length || s.some((d, k) => d !== first[k]))) return null;
  return [v.length, ...first];
}

function numericColumn(rows: readonly DataFrameRecord[], col: string, what: string): { values: Float32Array; width: number; shape: number[] } {
  let shape: number[] | null = null;
  const out: number[] = [];
  rows.forEach((r, i) => {
    const v = r[col];
    const s = shapeOf(v);
    if (shape === null && s !== null) shape = s;
    if (s === null || s.includes(0) || s.length !== shape!.length || s.some((d, k) => d !== shape![k])) {
      throw new DataConfigError(
        `flowFromDataframe(): ${what} column "${col}" has ${show(v)} in ${rowName(i)}, but ` +
          (s === null ? 'its nested lists differ in length.' : `earlier rows have shape [${shape!.join(', ')}].`) +
          ' Every row needs the same number of values (the same shape for nested lists).',
      );
    }
    for (const x of Array.isArray(v) ? (v as unknown[]).flat(Infinity) : [v]) {
      const n = toNumber(x);
      if (!Number.isFinite(n)) {
        throw new DataConfigError(
          `flowFromDataframe(): ${what} column "${col}" must hold numbers, but ${rowName(i)} has ${show(v)}. ` +
            `Fix the value, or for class names use classMode 'categorical', 'binary' or 'sparse'.`,
        );
      }
      out.push(n);
    }
  });
  const rowShape: number[] = shape ?? [];
  return { values: Float32Array.from(out), width: rowShape.reduce((a, b) => a * b, 1), shape: rowShape };
}

/** Checks the records and columns, filters the rows like Keras, and returns files and targets. */
export function indexDataFrame(records: readonly DataFrameRecord[], o: Omit<DataFrameColumns, 'classMode'> & { classMode: unknown }): DataFrameIndex {
  if (!Array.isArray(records)) {
    throw new DataConfigError(`flowFromDataframe() needs an array of records (e.g. the rows of a parsed CSV: [{filename: 'a.png', class: 'cat'}, ...]); got ${typeof records}.`);
  }
  const mode = checkMode(o.classMode);
  const { xCol, yCol, weightCol } = o;
  const yCols = Array.isArray(yCol) ? (yCol as readonly string[]) : [yCol as string];
  if (mode === 'multi_output' && !Array.isArray(yCol)) {
    throw new DataConfigError(`classMode 'multi_output' needs yCol to be a list of column names (one output per column); got ${show(yCol)}.`);
  }
  if (Array.isArray(yCol) && mode !== 'raw' && mode !== 'multi_output' && mode !== 'input' && mode !== null) {
    throw new DataConfigError(`yCol is a list of columns (${yCols.join(', ')}), which works with classMode 'raw' or 'multi_output'; for classMode '${mode}' pass one column name.`);
  }
  records.forEach((r, i) => {
    if (r === null || typeof r !== 'object') throw new DataConfigError(`flowFromDataframe(): ${rowName(i)} is ${show(r)}, not a record ({${xCol}: 'a.png', ...}).`);
  });
  need(records, xCol, 'xCol');
  records.forEach((r, i) => {
    if (typeof r[xCol] !== 'string' || r[xCol] === '') {
      throw new DataConfigError(`flowFromDataframe(): every value of xCol "${xCol}" must be a filename string, but ${rowName(i)} has ${show(r[xCol])}. Fix the row or drop it before calling.`);
    }
  });
  const usesY = mode !== 'input' && mode !== null;
  if (usesY) for (const c of yCols) need(records, c, 'yCol');
  if (weightCol !== null) need(records, weightCol, 'weightCol');

  if (mode === 'binary' || mode === 'sparse') {
    records.forEach((r, i) => {
      if (typeof r[yCol as string] !== 'string') {
        throw new DataConfigError(
          `classMode '${mode}' needs class names as strings in yCol "${yCol}", but ${rowName(i)} has ${show(r[yCol as string])}. ` +
            `Convert the labels to strings (e.g. String(row.${yCol})), or use classMode 'raw' for numeric targets.`,
        );
      }
    });
  }
  if (mode === 'categorical') {
    records.forEach((r, i) => {
      const v = r[yCol as string];
      if (!(typeof v === 'string' || (Array.isArray(v) && v.every((e) => typeof e === 'string')))) {
        throw new DataConfigError(
          `classMode 'categorical' needs a class name (string) or a list of class names in yCol "${yCol}", but ${rowName(i)} has ${show(v)}. ` +
            `Convert the labels to strings, or use classMode 'raw' for numeric targets.`,
        );
      }
    });
  }
  if (CLASS_LABEL_MODES.has(mode)) {
    records.forEach((r, i) => {
      const v = r[yCol as string];
      if (v === '' || (Array.isArray(v) && v.includes(''))) {
        throw new DataConfigError(`flowFromDataframe(): ${rowName(i)} has an empty label in yCol "${yCol}" (an empty CSV cell?). Fill it in or drop the row before calling.`);
      }
    });
  }
  if (o.classes !== undefined && !CLASS_LABEL_MODES.has(mode)) {
    console.warn(`flowFromDataframe(): "classes" is ignored with classMode ${show(mode)}.`);
  }
  let classList: string[] | null = null;
  if (o.classes !== undefined && CLASS_LABEL_MODES.has(mode)) {
    classList = [...new Set(o.classes)];
    if (classList.length === 0) throw new DataConfigError('"classes" is empty. Leave it out to use every label in yCol, or name the classes to keep.');
  }
  if (mode === 'binary') {
    const found = classList ?? [...new Set(records.map((r) => r[yCol as string] as string))];
    if (found.length !== 2) {
      throw new DataConfigError(
        `classMode 'binary' needs exactly 2 classes, but ${classList ? '"classes" names' : `yCol "${yCol}" holds`} ${found.length} (${found.slice(0, 10).join(', ')}${found.length > 10 ? ', ...' : ''}). ` +
          `Use 'categorical' or 'sparse' for more classes, or pass classes: [negative, positive].`,
      );
    }
  }
  // Numeric columns are checked on every row, before any filtering, like Keras's dtype checks.
  if (mode === 'raw' || mode === 'multi_output') for (const c of yCols) numericColumn(records, c, 'yCol');
  if (weightCol !== null) numericColumn(records, weightCol, 'weightCol');

  const directory = o.directory === null ? null : path.resolve(o.directory);
  if (directory !== null && !fs.statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DataConfigError(
      `flowFromDataframe(): "directory" ${JSON.stringify(o.directory)} is not a folder (resolved to "${directory}" from ${process.cwd()}). ` +
        `Pass the folder the xCol filenames are relative to, or directory: null when xCol holds full paths.`,
    );
  }
  const pathOf = (r: DataFrameRecord) => path.resolve(directory ?? '', r[xCol] as string);
  let rows = records.map((r, i) => ({ r, i }));
  let invalid = 0;
  const invalidShown: string[] = [];
  const stats = new Map<number, fs.Stats | null>();
  const statOf = (p: string) => {
    try {
      return fs.statSync(p);
    } catch {
      return null;
    }
  };
  if (o.validateFilenames) {
    rows = rows.filter(({ r, i }) => {
      const p = pathOf(r);
      const st = hasImageExtension(p) ? statOf(p) : null;
      stats.set(i, st);
      const ok = !!st?.isFile();
      if (!ok) {
        invalid++;
        if (invalidShown.length < 5) invalidShown.push(`  ${rowName(i)}: ${r[xCol] as string}${hasImageExtension(p) ? ' (no such file)' : ' (not an image extension)'}`);
      }
      return ok;
    });
    if (invalid) {
      console.warn(
        `Found ${invalid} invalid image filename(s) in xCol="${xCol}". These filename(s) will be ignored.\n${invalidShown.join('\n')}` +
          (invalid > 5 ? `\n  ... and ${invalid - 5} more` : ''),
      );
    }
  }

  // Keep the wanted classes: a row's labels outside `classes` are dropped, then rows left with none.
  let classNames: string[] = [];
  let outOfClasses = 0;
  const labelsOf = new Map<number, string[] | string>();
  if (CLASS_LABEL_MODES.has(mode)) {
    const y = yCol as string;
    if (classList) {
      const keep = new Set(classList);
      rows = rows.filter(({ r, i }) => {
        const v = r[y] as string | string[];
        const kept = Array.isArray(v) ? v.filter((c) => keep.has(c)) : keep.has(v) ? v : null;
        if (kept === null || (Array.isArray(kept) && kept.length === 0)) {
          outOfClasses++;
          return false;
        }
        labelsOf.set(i, kept);
        return true;
      });
      classNames = classList;
    } else {
      const all = new Set<string>();
      for (const { r, i } of rows) {
        const v = r[y] as string | string[];
        labelsOf.set(i, v);
        for (const c of Array.isArray(v) ? v : [v]) all.add(c);
      }
      classNames = [...all].sort(compareCodePoints);
    }
  }

  const afterFilter = rows.length;
  let nVal = 0;
  if (o.subset) {
    nVal = Math.floor(o.validationSplit * rows.length);
    rows = o.subset === 'validation' ? rows.slice(0, nVal) : rows.slice(nVal);
  }
  if (rows.length === 0) {
    const why: string[] = [];
    if (invalid) why.push(`${invalid} with a missing file or a non-image extension (looked for ${IMAGE_EXTENSIONS.join(', ')}${directory ? ` under "${directory}"` : ''})`);
    if (outOfClasses) why.push(`${outOfClasses} with no label in "classes" (${classNames.join(', ')})`);
    const subsetWhy = o.subset ? `; the '${o.subset}' subset (validationSplit ${o.validationSplit}) of the ${afterFilter} left is empty` : '';
    throw new DataConfigError(
      `flowFromDataframe(): no rows left out of ${records.length}` +
        (why.length ? `: dropped ${why.join(' and ')}` : records.length === 0 ? ' (the records array is empty)' : '') +
        `${subsetWhy}. Check "directory" and the paths in xCol "${xCol}"${outOfClasses ? ', and "classes"' : ''}${o.subset ? ', or change validationSplit' : ''}.`,
    );
  }

  const index: Record<string, number> = Object.fromEntries(classNames.map((c, k) => [c, k]));
  const classes: Array<number | number[]> = CLASS_LABEL_MODES.has(mode)
    ? rows.map(({ i }) => {
        const v = labelsOf.get(i)!;
        return Array.isArray(v) ? [...new Set(v.map((c) => index[c]))] : index[v];
      })
    : [];
  const files: IndexedFile[] = rows.map(({ r, i }, k) => {
    const filepath = pathOf(r);
    // The size and mtime key the decoded cache; a missing file (validateFilenames: false) fails when read.
    const st = stats.has(i) ? stats.get(i)! : statOf(filepath);
    const c = classes.length ? classes[k] : 0;
    return { filename: r[xCol] as string, filepath, label: typeof c === 'number' ? c : (c[0] ?? 0), size: st?.size ?? -1, mtimeMs: st?.mtimeMs ?? -1 };
  });
  const kept = rows.map(({ r }) => r);
  const targets =
    mode === 'raw'
      ? [{ ...numericColumnsSideBySide(kept, yCols), column: yCol }]
      : mode === 'multi_output'
        ? yCols.map((c) => ({ ...numericColumn(kept, c, 'yCol'), column: c }))
        : [];
  const weights = weightCol === null ? null : numericColumn(kept, weightCol, 'weightCol').values;
  const validated = o.validateFilenames ? 'validated' : 'non-validated';
  const message = CLASS_LABEL_MODES.has(mode)
    ? `Found ${rows.length} ${validated} image filenames belonging to ${classNames.length} classes.`
    : `Found ${rows.length} ${validated} image filenames.`;
  return { index: { directory: directory ?? '', classNames, files }, classNames, classes, targets, weights, message };
}

/** 'raw' targets: one column gives [n, width], several give their values side by side. */
function numericColumnsSideBySide(rows: readonly DataFrameRecord[], cols: readonly string[]): { values: Float32Array; width: number; shape: number[] } {
  const parts = cols.map((c) => numericColumn(rows, c, 'yCol'));
  if (parts.length === 1) return parts[0];
  const width = parts.reduce((s, p) => s + p.width, 0);
  const values = new Float32Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) {
    let o = i * width;
    for (const p of parts) {
      values.set(p.values.subarray(i * p.width, (i + 1) * p.width), o);
      o += p.width;
    }
  }
  return { values, width, shape: [width] };
}
