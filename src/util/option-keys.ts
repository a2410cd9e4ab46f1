/**
 * Unknown option keys are mistakes (a Keras spelling like `rotation_range`, a typo, an option of another
 * call): silently ignoring them trains with defaults the user did not ask for. Reject them, naming the
 * camelCase spelling, the call that takes the option, or the closest key.
 */
import { closest } from './did-you-mean.js';

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Every key of T, listed once: `Record<keyof T, true>` makes the compiler reject a missing or an extra
 * key, so the list cannot drift from the options' type.
 */
export function optionKeys<T>(keys: { [K in keyof Required<T>]: true }): string[] {
  return Object.keys(keys);
}

export interface OptionKeyCheck {
  /** Whose Python API the snake_case spellings come from (default 'Keras'). */
  reference?: 'Keras' | 'KerasTuner';
  /** Python names that are not the camelCase of ours (KerasTuner's `min_value` is our `min`). */
  renames?: Readonly<Record<string, string>>;
  /** Options we do not have, with what to do instead (`max_model_size`: "...maxParams..."). */
  notes?: Readonly<Record<string, string>>;
  /** Options of another call, e.g. `{where: 'search()', keys: [...]}` for a tuner constructor. */
  elsewhere?: { where: string; keys: readonly string[] };
  makeError?: (message: string) => Error;
}

/** Throws for the first key of `options` not in `allowed` (an error from `check.makeError`, or an Error). */
export function checkOptionKeys(what: string, options: object | undefined, allowed: readonly string[],
  check: OptionKeyCheck | ((message: string) => Error) = {}): void {
  if (!options || typeof options !== 'object') return;
  const c = typeof check === 'function' ? { makeError: check } : check;
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const message = `${what}: unknown option "${key}".${hint(key, allowed, c)}`;
    throw c.makeError ? c.makeError(message) : new Error(message);
  }
}

function hint(key: string, allowed: readonly string[], c: OptionKeyCheck): string {
  const python = `"${key}" is the ${c.reference ?? 'Keras'} (Python) spelling`;
  const note = c.notes?.[key] ?? c.notes?.[camel(key)];
  if (note !== undefined) return ` ${key.includes('_') ? `${python}; here: ` : ''}${note}`;
  const ours = c.renames?.[key] ?? camel(key);
  if (ours !== key && allowed.includes(ours)) return ` ${python}: write ${ours}.`;
  if (c.elsewhere?.keys.includes(ours)) {
    return ` ${ours} is an option of ${c.elsewhere.where}${ours !== key ? ` (and "${key}" the ${c.reference ?? 'Keras'} (Python) spelling of it)` : ''}.`;
  }
  const near = closest(ours, allowed);
  return near ? ` Did you mean "${near}"?` : ` Known options: ${allowed.join(', ')}.`;
}
