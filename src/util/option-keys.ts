/**
 * Unknown option keys are mistakes (a Keras spelling like `rotation_range`, a typo): silently ignoring them
 * trains with defaults the user did not ask for. Reject them, naming the camelCase spelling or the closest key.
 */
import { closest } from './did-you-mean.js';

const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** Throws `makeError(message)` for the first key of `options` not in `allowed`. */
export function checkOptionKeys(what: string, options: object | undefined, allowed: readonly string[], makeError: (m: string) => Error = (m) => new Error(m)): void {
  if (!options || typeof options !== 'object') return;
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const c = camel(key);
    const hint = c !== key && allowed.includes(c)
      ? ` "${key}" is the Keras (Python) spelling: write ${c}.`
      : ((near) => (near ? ` Did you mean "${near}"?` : ` Known options: ${allowed.join(', ')}.`))(closest(c, allowed));
    throw makeError(`${what}: unknown option "${key}".${hint}`);
  }
}
