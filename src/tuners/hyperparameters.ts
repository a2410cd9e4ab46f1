/**
 * The search space, KerasTuner-style. A hypermodel calls `hp.int(...)`, `hp.choice(...)`... while it
 * builds a model: the first call declares the hyperparameter (it joins `space`), and every call returns
 * the value chosen for this trial (its default on a fresh `HyperParameters`), or null while its parent
 * condition does not hold (KerasTuner returns None). Conditional
 * hyperparameters exist only while their parent has one of the listed values; only active values are
 * recorded in `values`.
 */
import { probToValue, validateSpec, valueToProb } from './sampling.js';
import type { Rng } from '../util/rng.js';
import { checkOptionKeys, optionKeys } from '../util/option-keys.js';

export type { Sampling, HyperValue, Condition, HyperParameterSpec } from './hyperparameter-spec.js';
import type { Sampling, HyperValue, Condition, HyperParameterSpec } from './hyperparameter-spec.js';

/** The serialized form (trial.json `hyperparameters`, oracle.json). */
export interface HyperParametersConfig {
  space: HyperParameterSpec[];
  values: Record<string, HyperValue>;
}

/** Options shared by every declaration: a parent condition, shorthand for `conditionalScope`. */
export interface ConditionOptions { parentName?: string; parentValues?: HyperValue[] }
/** A declaration with a parent condition: its value is null while the condition does not hold (KerasTuner's None). */
export interface ParentCondition { parentName: string; parentValues: HyperValue[] }
export interface NumberOptions extends ConditionOptions {
  min: number;
  max: number;
  /** Int: defaults to 1 (linear). With log/reverseLog sampling the step multiplies and must be > 1. */
  step?: number;
  sampling?: Sampling;
  default?: number;
}

const CONDITION_KEYS = optionKeys<ConditionOptions>({ parentName: true, parentValues: true });
const NUMBER_KEYS = optionKeys<NumberOptions>({ min: true, max: true, step: true, sampling: true, default: true, parentName: true, parentValues: true });
const CHOICE_KEYS = ['ordered', 'default', ...CONDITION_KEYS];
const BOOLEAN_KEYS = ['default', ...CONDITION_KEYS];
/** KerasTuner's hp.Int(name, min_value, max_value, ...). */
const RENAMES = { min_value: 'min', max_value: 'max', minValue: 'min', maxValue: 'max' };
const checkKeys = (method: string, name: string, opts: object, allowed: readonly string[]) =>
  checkOptionKeys(`hp.${method}("${name}")`, opts, allowed, { reference: 'KerasTuner', renames: RENAMES });

/** The value a hyperparameter takes before any search: its default, else min / first value / false. */
export function defaultValue(spec: HyperParameterSpec): HyperValue {
  switch (spec.type) {
    case 'int':
    case 'float':
      return spec.default ?? spec.min;
    case 'choice':
      return spec.default ?? spec.values[0];
    case 'boolean':
      return spec.default ?? false;
    case 'fixed':
      return spec.value;
  }
}

function sameConditions(a: Condition[], b: Condition[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function cloneSpec<S extends HyperParameterSpec>(spec: S): S {
  return JSON.parse(JSON.stringify(spec)) as S;
}

function describeValue(v: HyperValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export class HyperParameters {
  private readonly specs: HyperParameterSpec[] = [];
  private readonly current = new Map<string, HyperValue>();
  private readonly scopes: Condition[] = [];
  private readonly seenScopes: Array<{ conditions: Condition[]; active: boolean }> = [];

  /** Active values only (a fresh copy). */
  get values(): Record<string, HyperValue> {
    const out: Record<string, HyperValue> = {};
    for (const [k, v] of this.current) out[k] = v;
    return out;
  }

  /** The search space declared so far (copies, in declaration order). */
  get space(): HyperParameterSpec[] {
    return this.specs.map(cloneSpec);
  }

  int(name: string, opts: NumberOptions & ParentCondition): number | null;
  int(name: string, opts: NumberOptions): number;
  int(name: string, opts: NumberOptions): number | null {
    checkKeys('int', name, opts, NUMBER_KEYS);
    const spec: HyperParameterSpec = {
      type: 'int', name, min: opts.min, max: opts.max, sampling: opts.sampling ?? 'linear', conditions: [],
    };
    if (opts.step !== undefined) spec.step = opts.step;
    else if (spec.sampling === 'linear') spec.step = 1;
    if (opts.default !== undefined) spec.default = opts.default;
    return this.retrieve(spec, opts) as number | null;
  }

  float(name: string, opts: NumberOptions & ParentCondition): number | null;
  float(name: string, opts: NumberOptions): number;
  float(name: string, opts: NumberOptions): number | null {
    checkKeys('float', name, opts, NUMBER_KEYS);
    const spec: HyperParameterSpec = {
      type: 'float', name, min: opts.min, max: opts.max, sampling: opts.sampling ?? 'linear', conditions: [],
    };
    if (opts.step !== undefined) spec.step = opts.step;
    if (opts.default !== undefined) spec.default = opts.default;
    return this.retrieve(spec, opts) as number | null;
  }

  choice<T extends HyperValue>(name: string, values: readonly T[], opts: { ordered?: boolean; default?: T } & ParentCondition): T | null;
  choice<T extends HyperValue>(name: string, values: readonly T[], opts?: { ordered?: boolean; default?: T } & ConditionOptions): T;
  choice<T extends HyperValue>(
    name: string,
    values: readonly T[],
    opts: { ordered?: boolean; default?: T } & ConditionOptions = {},
  ): T | null {
    checkKeys('choice', name, opts, CHOICE_KEYS);
    const numeric = values.length > 0 && typeof values[0] === 'number';
    const spec: HyperParameterSpec = {
      type: 'choice', name, values: [...values], ordered: opts.ordered ?? numeric, conditions: [],
    };
    if (opts.default !== undefined) spec.default = opts.default;
    return this.retrieve(spec, opts) as T | null;
  }

  boolean(name: string, opts: { default?: boolean } & ParentCondition): boolean | null;
  boolean(name: string, opts?: { default?: boolean } & ConditionOptions): boolean;
  boolean(name: string, opts: { default?: boolean } & ConditionOptions = {}): boolean | null {
    checkKeys('boolean', name, opts, BOOLEAN_KEYS);
    const spec: HyperParameterSpec = { type: 'boolean', name, conditions: [] };
    if (opts.default !== undefined) spec.default = opts.default;
    return this.retrieve(spec, opts) as boolean | null;
  }

  fixed<T extends HyperValue>(name: string, value: T, opts: ParentCondition): T | null;
  fixed<T extends HyperValue>(name: string, value: T, opts?: ConditionOptions): T;
  fixed<T extends HyperValue>(name: string, value: T, opts: ConditionOptions = {}): T | null {
    checkKeys('fixed', name, opts, CONDITION_KEYS);
    return this.retrieve({ type: 'fixed', name, value, conditions: [] }, opts) as T | null;
  }

  /**
   * Runs fn with every hyperparameter declared inside conditioned on `parentName`'s value being in
   * `parentValues`. When the condition does not hold, fn is not run and the result is undefined
   * (the tuner still discovers the hyperparameters inside by building with the parent forced).
   */
  conditionalScope<R>(parentName: string, parentValues: readonly HyperValue[], fn: () => R): R | undefined {
    const condition = this.makeCondition(parentName, parentValues);
    this.scopes.push(condition);
    try {
      const active = this.conditionsHold(this.scopes);
      this.seenScopes.push({ conditions: [...this.scopes], active });
      if (!active) return undefined;
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** The active value of `name`. Throws for an unknown or an inactive hyperparameter. */
  get<T extends HyperValue = HyperValue>(name: string): T {
    if (this.current.has(name)) return this.current.get(name) as T;
    if (this.specs.some((s) => s.name === name)) {
      throw new Error(`Hyperparameter "${name}" is inactive: its parent condition does not hold in this trial.`);
    }
    throw new Error(`Unknown hyperparameter "${name}": declare it (hp.int, hp.choice, ...) before reading it. ` +
      `Known: ${this.specs.map((s) => s.name).join(', ') || '(none)'}.`);
  }

  /** True when `name` is declared and active. */
  has(name: string): boolean {
    return this.current.has(name);
  }

  /** Whether a spec's conditions hold for the current values (the parent chain included). */
  isActive(spec: HyperParameterSpec): boolean {
    return this.conditionsHold(spec.conditions);
  }

  /** Every conditional scope entered so far and whether it was active (lets the tuner discover the whole space). */
  scopesSeen(): Array<{ conditions: Condition[]; active: boolean }> {
    return this.seenScopes.map((s) => ({ conditions: s.conditions.map((c) => ({ ...c, parentValues: [...c.parentValues] })), active: s.active }));
  }

  /** Declares a spec without reading it (used to restore a space); returns false if already there. */
  declare(spec: HyperParameterSpec): boolean {
    if (this.find(spec.name, spec.conditions)) return false;
    validateSpec(spec);
    this.specs.push(cloneSpec(spec));
    return true;
  }

  /** Sets a value directly (used by oracles); does not check activity. */
  setValue(name: string, value: HyperValue): void {
    this.current.set(name, value);
  }

  deleteValue(name: string): void {
    this.current.delete(name);
  }

  /**
   * Makes `values` consistent with the conditions: drops values of inactive hyperparameters and gives
   * every active one without a value a random value (or its default when no rng is given).
   */
  ensureActiveValues(rng?: Rng): void {
    // Walk in declaration order: a parent is declared before its children, so activity settles in one pass.
    for (const spec of this.specs) {
      if (this.isActive(spec)) {
        if (!this.current.has(spec.name)) {
          this.current.set(spec.name, rng && spec.type !== 'fixed' ? probToValue(spec, rng.next()) : defaultValue(spec));
        }
      } else if (!this.specs.some((s) => s !== spec && s.name === spec.name && this.isActive(s))) {
        this.current.delete(spec.name);
      }
    }
  }

  /** The value mapped to [0, 1] as KerasTuner's value_to_prob does (used by the Bayesian oracle). */
  valueToProb(spec: HyperParameterSpec, value: HyperValue): number {
    return valueToProb(spec, value);
  }

  copy(): HyperParameters {
    return HyperParameters.fromConfig(this.getConfig());
  }

  getConfig(): HyperParametersConfig {
    return { space: this.space, values: this.values };
  }

  static fromConfig(config: HyperParametersConfig): HyperParameters {
    const hp = new HyperParameters();
    for (const spec of config.space) hp.declare(spec);
    for (const [k, v] of Object.entries(config.values)) hp.current.set(k, v);
    return hp;
  }

  /** A hyperparameter by name (the active one when several share a name under different conditions). */
  spec(name: string): HyperParameterSpec | undefined {
    const all = this.specs.filter((s) => s.name === name);
    return cloneSpecMaybe(all.find((s) => this.isActive(s)) ?? all[0]);
  }

  private makeCondition(parentName: string, parentValues: readonly HyperValue[]): Condition {
    if (!this.specs.some((s) => s.name === parentName)) {
      throw new Error(`Conditional parent "${parentName}" is not declared: declare it (e.g. hp.int("${parentName}", ...)) ` +
        `before the hyperparameters that depend on it.`);
    }
    if (!Array.isArray(parentValues) || parentValues.length === 0) {
      throw new Error(`Condition on "${parentName}" needs a non-empty list of parent values.`);
    }
    // A parent's value is a string, number or boolean; null / undefined would never match (KerasTuner refuses them too).
    const bad = parentValues.find((v) => !['string', 'number', 'boolean'].includes(typeof v));
    if (bad !== undefined || parentValues.some((v) => v === undefined)) {
      throw new Error(`Condition on "${parentName}": parent values must be strings, numbers or booleans (got ${JSON.stringify(parentValues)}).`);
    }
    return { parentName, parentValues: [...parentValues] };
  }

  private conditionsHold(conditions: Condition[]): boolean {
    return conditions.every((c) => this.current.has(c.parentName) && c.parentValues.includes(this.current.get(c.parentName)!));
  }

  private find(name: string, conditions: Condition[]): HyperParameterSpec | undefined {
    return this.specs.find((s) => s.name === name && sameConditions(s.conditions, conditions));
  }

  /** The value for this trial, or null when the hyperparameter is inactive (KerasTuner's _retrieve returns None). */
  private retrieve(spec: HyperParameterSpec, opts: ConditionOptions): HyperValue | null {
    if (typeof spec.name !== 'string' || spec.name.length === 0) throw new Error('A hyperparameter needs a non-empty name.');
    const conditions = [...this.scopes];
    if (opts.parentName !== undefined || opts.parentValues !== undefined) {
      if (opts.parentName === undefined || opts.parentValues === undefined) {
        throw new Error(`Hyperparameter "${spec.name}": give both parentName and parentValues, or neither.`);
      }
      conditions.push(this.makeCondition(opts.parentName, opts.parentValues));
    }
    if (conditions.some((c) => c.parentName === spec.name)) {
      throw new Error(`Hyperparameter "${spec.name}" cannot be conditioned on itself: give the child another name.`);
    }
    spec.conditions = conditions;
    validateSpec(spec);

    const sameName = this.specs.find((s) => s.name === spec.name);
    if (sameName && sameName.type !== spec.type) {
      throw new Error(`Hyperparameter "${spec.name}" is already a ${sameName.type}; it cannot also be a ${spec.type}.`);
    }
    let registered = this.find(spec.name, conditions);
    if (registered) {
      const { default: _a, ...a } = registered as HyperParameterSpec & { default?: unknown };
      const { default: _b, ...b } = spec as HyperParameterSpec & { default?: unknown };
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        throw new Error(`Hyperparameter "${spec.name}" was declared twice with different settings: ` +
          `${JSON.stringify(a)} vs ${JSON.stringify(b)}. Use a different name for a different range.`);
      }
    } else {
      this.specs.push(cloneSpec(spec));
      registered = spec;
    }

    if (!this.conditionsHold(conditions)) return null;
    if (registered.type === 'fixed') {
      this.current.set(spec.name, registered.value);
      return registered.value;
    }
    if (!this.current.has(spec.name)) this.current.set(spec.name, defaultValue(registered));
    return this.current.get(spec.name)!;
  }

  /** KerasTuner's `search_space_summary()` text. */
  summary(): string {
    const lines = ['Search space summary', `Default search space size: ${this.specs.length}`];
    for (const spec of this.specs) {
      lines.push(`${spec.name} (${kerasClassName(spec)})`);
      lines.push(pythonDict(kerasConfig(spec)));
    }
    return lines.join('\n');
  }
}

function cloneSpecMaybe(spec: HyperParameterSpec | undefined): HyperParameterSpec | undefined {
  return spec ? cloneSpec(spec) : undefined;
}

function kerasClassName(spec: HyperParameterSpec): string {
  return { int: 'Int', float: 'Float', choice: 'Choice', boolean: 'Boolean', fixed: 'Fixed' }[spec.type];
}

const SAMPLING_NAMES: Record<Sampling, string> = { linear: 'linear', log: 'log', reverseLog: 'reverse_log' };

function kerasConfig(spec: HyperParameterSpec): Record<string, unknown> {
  const conditions = spec.conditions.map((c) => ({ class_name: 'Parent', config: { name: c.parentName, values: c.parentValues } }));
  switch (spec.type) {
    case 'int':
      return { default: spec.default ?? null, conditions, min_value: spec.min, max_value: spec.max, step: spec.step ?? null, sampling: SAMPLING_NAMES[spec.sampling] };
    case 'float': {
      const f = (x: number | undefined) => (x === undefined ? null : new PyFloat(x));
      return { default: f(spec.default ?? spec.min), conditions, min_value: f(spec.min), max_value: f(spec.max), step: f(spec.step), sampling: SAMPLING_NAMES[spec.sampling] };
    }
    case 'choice':
      return { default: spec.default ?? spec.values[0], conditions, values: spec.values, ordered: spec.ordered };
    case 'boolean':
      return { default: spec.default ?? false, conditions };
    case 'fixed':
      return { conditions, value: spec.value };
  }
}

/** Renders like Python's repr of a dict, so the summary reads like KerasTuner's. */
export function pythonRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v instanceof PyFloat) return pythonFloat(v.value, true);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return pythonFloat(v, false);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return pythonDict(v as Record<string, unknown>);
}

/** Python's repr of a number; `asFloat` writes integral values as floats (1.0), as Python does for a float. */
function pythonFloat(v: number, asFloat: boolean): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && !asFloat) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  const s = String(v);
  return Number.isInteger(v) ? `${s}.0` : s;
}

/** Marks a number to print as a Python float. */
class PyFloat {
  constructor(readonly value: number) {}
}

function pythonDict(o: Record<string, unknown>): string {
  return `{${Object.entries(o).map(([k, v]) => `'${k}': ${pythonRepr(v)}`).join(', ')}}`;
}

export { describeValue };
