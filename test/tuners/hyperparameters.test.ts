import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HyperParameters, type HyperParameterSpec } from '../../src/tuners/hyperparameters.js';
import { gridValues, probToValue, valueToProb } from '../../src/tuners/sampling.js';
import { Rng } from '../../src/util/rng.js';

test('a fresh HyperParameters returns defaults and records the space', () => {
  const hp = new HyperParameters();
  assert.equal(hp.int('units', { min: 16, max: 64, step: 16 }), 16);
  assert.equal(hp.int('filters', { min: 8, max: 64, default: 32 }), 32);
  assert.equal(hp.float('lr', { min: 1e-4, max: 1e-2, sampling: 'log' }), 1e-4);
  assert.equal(hp.choice('act', ['relu', 'tanh']), 'relu');
  assert.equal(hp.choice('k', [3, 5], { default: 5 }), 5);
  assert.equal(hp.boolean('bn'), false);
  assert.equal(hp.boolean('dropout', { default: true }), true);
  assert.equal(hp.fixed('opt', 'adam'), 'adam');
  assert.deepEqual(hp.values, { units: 16, filters: 32, lr: 1e-4, act: 'relu', k: 5, bn: false, dropout: true, opt: 'adam' });
  assert.deepEqual(hp.space.map((s) => s.type), ['int', 'int', 'float', 'choice', 'choice', 'boolean', 'boolean', 'fixed']);
  const units = hp.space[0] as Extract<HyperParameterSpec, { type: 'int' }>;
  assert.deepEqual(units, { type: 'int', name: 'units', min: 16, max: 64, step: 16, sampling: 'linear', conditions: [] });
  const k = hp.space[4] as Extract<HyperParameterSpec, { type: 'choice' }>;
  assert.equal(k.ordered, true, 'numeric choices are ordered by default');
  assert.equal((hp.space[3] as Extract<HyperParameterSpec, { type: 'choice' }>).ordered, false);
  assert.equal(hp.get('units'), 16);
});

test('declaring the same name again returns the stored value; conflicting declarations are errors', () => {
  const hp = new HyperParameters();
  hp.int('units', { min: 1, max: 10 });
  hp.setValue('units', 7);
  assert.equal(hp.int('units', { min: 1, max: 10 }), 7);
  assert.equal(hp.space.length, 1);
  assert.throws(() => hp.int('units', { min: 1, max: 20 }), /declared twice with different settings/);
  assert.throws(() => hp.choice('units', [1, 2]), /already a int/);
});

test('invalid specs give clear errors', () => {
  const hp = new HyperParameters();
  assert.throws(() => hp.int('a', { min: 5, max: 1 }), /min \(5\) is greater than max \(1\)/);
  assert.throws(() => hp.int('b', { min: 0.5, max: 3 }), /integer min and max/);
  assert.throws(() => hp.float('c', { min: 0, max: 1, sampling: 'log' }), /needs min > 0/);
  assert.throws(() => hp.int('d', { min: 1, max: 64, step: 1, sampling: 'log' }), /must be > 1/);
  assert.throws(() => hp.choice('e', []), /non-empty/);
  assert.throws(() => hp.choice('f', ['a', 1] as (string | number)[]), /all be numbers, all strings/);
  assert.throws(() => hp.choice('g', ['a', 'b'], { ordered: true }), /only numeric choices can be ordered/);
  assert.throws(() => hp.choice('h', [1, 2], { default: 3 }), /default 3 is not one of/);
  assert.throws(() => hp.int('i', { min: 1, max: 3, default: 9 }), /outside \[1, 3\]/);
  assert.throws(() => hp.get('nope'), /Unknown hyperparameter "nope"/);
  assert.throws(() => hp.conditionalScope('missing', [1], () => 0), /parent "missing" is not declared/);
});

test('conditional hyperparameters exist only while the parent has a listed value', () => {
  const build = (hp: HyperParameters): number[] => {
    const blocks = hp.int('num_blocks', { min: 1, max: 5 });
    const units: number[] = [];
    for (let i = 0; i < 5; i++) {
      const u = hp.conditionalScope('num_blocks', [5, 4, 3, 2, 1].filter((n) => n > i), () => hp.int(`units_${i}`, { min: 8, max: 32, step: 8 }));
      if (u !== undefined) units.push(u);
    }
    assert.equal(units.length, blocks);
    return units;
  };
  const hp = new HyperParameters();
  assert.deepEqual(build(hp), [8]);
  assert.deepEqual(Object.keys(hp.values), ['num_blocks', 'units_0']);
  assert.throws(() => hp.get('units_1'), /Unknown/); // never declared: its scope never ran
  hp.setValue('num_blocks', 4);
  hp.setValue('units_3', 24);
  assert.deepEqual(build(hp), [8, 8, 8, 24]);
  assert.equal(hp.space.length, 5);
  assert.deepEqual(hp.space[4].conditions, [{ parentName: 'num_blocks', parentValues: [5, 4] }]);
  hp.setValue('num_blocks', 2);
  hp.ensureActiveValues();
  assert.deepEqual(hp.values, { num_blocks: 2, units_0: 8, units_1: 8 });
  assert.throws(() => hp.get('units_3'), /inactive/);
  // parentName/parentValues shorthand, nested with a scope
  const hp2 = new HyperParameters();
  hp2.choice('model', ['cnn', 'mlp']);
  hp2.conditionalScope('model', ['cnn'], () => {
    hp2.boolean('pool');
    hp2.int('pool_size', { min: 2, max: 3, parentName: 'pool', parentValues: [true] });
  });
  assert.deepEqual(hp2.space[2].conditions, [
    { parentName: 'model', parentValues: ['cnn'] }, { parentName: 'pool', parentValues: [true] }]);
  assert.deepEqual(hp2.values, { model: 'cnn', pool: false });
  hp2.setValue('pool', true);
  hp2.ensureActiveValues();
  assert.deepEqual(hp2.values, { model: 'cnn', pool: true, pool_size: 2 });
  hp2.setValue('model', 'mlp');
  hp2.ensureActiveValues();
  assert.deepEqual(hp2.values, { model: 'mlp' }, 'grandchildren go inactive with their parent');
  assert.throws(() => hp2.int('model', { min: 1, max: 2, parentName: 'model', parentValues: ['cnn'] }), /conditioned on itself|already a choice/);
});

test('the same name may live in exclusive branches', () => {
  const hp = new HyperParameters();
  const kind = hp.choice('kind', ['a', 'b']);
  const u = kind === 'a' ? hp.int('units', { min: 1, max: 4, parentName: 'kind', parentValues: ['a'] })
    : hp.int('units', { min: 10, max: 40, parentName: 'kind', parentValues: ['b'] });
  assert.equal(u, 1);
  hp.setValue('kind', 'b');
  hp.deleteValue('units');
  assert.equal(hp.int('units', { min: 10, max: 40, parentName: 'kind', parentValues: ['b'] }), 10);
  assert.equal(hp.space.length, 3);
});

test('prob_to_value follows KerasTuner for every sampling', () => {
  const int = (o: Partial<Extract<HyperParameterSpec, { type: 'int' }>>): HyperParameterSpec => ({ type: 'int', name: 'x', min: 0, max: 0, sampling: 'linear', conditions: [], ...o });
  assert.deepEqual(gridValues(int({ min: 2, max: 32, step: 2, sampling: 'log' })), [2, 4, 8, 16, 32]);
  assert.deepEqual(gridValues(int({ min: 6, max: 13, step: 3 })), [6, 9, 12]);
  assert.equal(probToValue(int({ min: 6, max: 13, step: 3 }), 0.99), 12);
  assert.equal(probToValue(int({ min: 6, max: 13, step: 3 }), 0.34), 9);
  assert.equal(probToValue(int({ min: 1, max: 10 }), 0.999), 10);
  assert.equal(probToValue(int({ min: 1, max: 100, sampling: 'log' }), 0.5), 10); // int(1 * 101^0.5)
  const f = (o: Partial<Extract<HyperParameterSpec, { type: 'float' }>>): HyperParameterSpec => ({ type: 'float', name: 'f', min: 0, max: 1, sampling: 'linear', conditions: [], ...o });
  assert.equal(probToValue(f({ min: 2, max: 4 }), 0.25), 2.5);
  assert.ok(Math.abs((probToValue(f({ min: 1e-4, max: 1e-2, sampling: 'log' }), 0.5) as number) - 1e-3) < 1e-12);
  // reverse_log: max + min - min * (max/min)^(1-p) crowds values near max
  assert.ok(Math.abs((probToValue(f({ min: 0.1, max: 0.999, sampling: 'reverseLog' }), 0.5) as number) - (0.999 + 0.1 - 0.1 * Math.sqrt(9.99))) < 1e-12);
  assert.deepEqual(gridValues(f({ min: 0, max: 1, step: 0.25 })), [0, 0.25, 0.5, 0.75, 1]);
  assert.equal(gridValues(f({ min: 0, max: 1 })).length, 10);
  const c: HyperParameterSpec = { type: 'choice', name: 'c', values: ['a', 'b', 'c'], ordered: false, conditions: [] };
  assert.equal(probToValue(c, 0.5), 'b');
  assert.equal(valueToProb(c, 'c'), 2.5 / 3);
  const b: HyperParameterSpec = { type: 'boolean', name: 'b', conditions: [] };
  assert.equal(probToValue(b, 0.49), false);
  assert.equal(valueToProb(b, true), 0.75);
});

test('value_to_prob inverts prob_to_value for every type and sampling', () => {
  const rng = new Rng(1);
  const specs: HyperParameterSpec[] = [
    { type: 'int', name: 'a', min: 1, max: 50, step: 1, sampling: 'linear', conditions: [] },
    { type: 'int', name: 'b', min: 1, max: 1000, sampling: 'log', conditions: [] },
    { type: 'int', name: 'c', min: 4, max: 256, step: 2, sampling: 'log', conditions: [] },
    { type: 'float', name: 'd', min: 1e-5, max: 1, sampling: 'log', conditions: [] },
    { type: 'float', name: 'e', min: 0.5, max: 0.999, sampling: 'reverseLog', conditions: [] },
    { type: 'float', name: 'f', min: 0, max: 0.5, step: 0.1, sampling: 'linear', conditions: [] },
    { type: 'choice', name: 'g', values: [16, 32, 64], ordered: true, conditions: [] },
  ];
  for (const spec of specs) {
    for (let i = 0; i < 200; i++) {
      const v = probToValue(spec, rng.next());
      const back = probToValue(spec, valueToProb(spec, v));
      if (typeof v === 'number' && !Number.isInteger(v)) assert.ok(Math.abs((back as number) - v) <= 1e-9 * Math.abs(v), `${spec.name}: ${v} vs ${back}`);
      else assert.deepEqual(back, v, `${spec.name}: ${v}`);
    }
  }
  // random samples stay in range and cover it
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const v = probToValue(specs[0], rng.next()) as number;
    assert.ok(v >= 1 && v <= 50 && Number.isInteger(v));
    seen.add(v);
  }
  assert.equal(seen.size, 50);
});

test('log sampling spreads draws evenly across orders of magnitude', () => {
  const rng = new Rng(7);
  const spec: HyperParameterSpec = { type: 'float', name: 'lr', min: 1e-5, max: 1e-1, sampling: 'log', conditions: [] };
  const decades = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) decades[Math.floor(Math.log10(probToValue(spec, rng.next()) as number) + 5)]++;
  for (const d of decades) assert.ok(d > 850 && d < 1150, `decade counts ${decades}`);
});

test('getConfig/fromConfig/copy round-trip and copies are independent', () => {
  const hp = new HyperParameters();
  hp.int('n', { min: 1, max: 3 });
  hp.conditionalScope('n', [3], () => hp.float('x', { min: 0, max: 1 }));
  hp.setValue('n', 3);
  hp.ensureActiveValues(new Rng(3));
  const copy = HyperParameters.fromConfig(JSON.parse(JSON.stringify(hp.getConfig())));
  assert.deepEqual(copy.getConfig(), hp.getConfig());
  copy.setValue('n', 1);
  assert.equal(hp.get('n'), 3);
  assert.deepEqual(hp.copy().values, hp.values);
});

test('searchSpaceSummary prints like KerasTuner', () => {
  const hp = new HyperParameters();
  hp.int('units', { min: 16, max: 64, step: 16 });
  hp.float('lr', { min: 1e-4, max: 1e-2, sampling: 'log' });
  hp.choice('act', ['relu', 'tanh']);
  assert.equal(hp.summary(), [
    'Search space summary',
    'Default search space size: 3',
    'units (Int)',
    "{'default': None, 'conditions': [], 'min_value': 16, 'max_value': 64, 'step': 16, 'sampling': 'linear'}",
    'lr (Float)',
    "{'default': 0.0001, 'conditions': [], 'min_value': 0.0001, 'max_value': 0.01, 'step': None, 'sampling': 'log'}",
    'act (Choice)',
    "{'default': 'relu', 'conditions': [], 'values': ['relu', 'tanh'], 'ordered': False}",
  ].join('\n'));
});

test('numbers print like Python: .5g in the trial table, repr in the summary', async () => {
  const { formatValue, formatDuration } = await import('../../src/tuners/display.js');
  const cases: Array<[number | string | boolean, string]> = [
    [0.0001, '0.0001'], [1e-5, '1e-05'], [123456, '1.2346e+05'], [12345, '12345'], [0.123456789, '0.12346'],
    [1.5e20, '1.5e+20'], [-0.00012345678, '-0.00012346'], [99999.5, '1e+05'], [0.5, '0.5'], [true, 'True'], ['relu', 'relu'],
  ];
  for (const [v, want] of cases) assert.equal(formatValue(v), want, String(v));
  assert.equal(formatDuration(3725.4), '01h 02m 05s');
  const hp = new HyperParameters();
  hp.float('dropout', { min: 0, max: 1, step: 0.25 });
  hp.float('lr', { min: 1e-5, max: 1e-2, sampling: 'log' });
  hp.fixed('opt', 'adam');
  hp.boolean('bn', { parentName: 'opt', parentValues: ['adam'] });
  assert.equal(hp.summary().split('\n').slice(2).join('\n'), [
    'dropout (Float)',
    "{'default': 0.0, 'conditions': [], 'min_value': 0.0, 'max_value': 1.0, 'step': 0.25, 'sampling': 'linear'}",
    'lr (Float)',
    "{'default': 1e-05, 'conditions': [], 'min_value': 1e-05, 'max_value': 0.01, 'step': None, 'sampling': 'log'}",
    'opt (Fixed)',
    "{'conditions': [], 'value': 'adam'}",
    'bn (Boolean)',
    "{'default': False, 'conditions': [{'class_name': 'Parent', 'config': {'name': 'opt', 'values': ['adam']}}]}",
  ].join('\n'));
});

test('an int with log sampling and no step: grid values are KerasTuner\'s 10 quantiles prob_to_value(0.05 + 0.1 i)', () => {
  const spec: HyperParameterSpec = { type: 'int', name: 'units', min: 2, max: 1024, sampling: 'log', conditions: [] };
  // int(2 * (1025 / 2)^(0.05 + 0.1 i)), i = 0..9 (ascending; KerasTuner holds them in a set)
  assert.deepEqual(gridValues(spec), [2, 5, 9, 17, 33, 61, 115, 215, 402, 750]);
  const rev: HyperParameterSpec = { type: 'int', name: 'r', min: 1, max: 3, sampling: 'reverseLog', conditions: [] };
  assert.deepEqual(gridValues(rev), [1, 2, 3], 'duplicates dropped');
});

test('reverse-log stepped values are indexed from max down, as KerasTuner\'s _get_value_by_index', () => {
  const spec: HyperParameterSpec = { type: 'float', name: 'm', min: 0.01, max: 100, step: 10, sampling: 'reverseLog', conditions: [] };
  // max + min - min * 10^i
  assert.deepEqual(gridValues(spec), [100, 99.91, 99.01, 90.01, 0.01]);
  assert.equal(probToValue(spec, 0.3), 99.91);
  assert.equal(valueToProb(spec, 99.91), 0.3);
  assert.equal(probToValue(spec, 0.99), 0.01);
  const int: HyperParameterSpec = { type: 'int', name: 'n', min: 1, max: 100, step: 10, sampling: 'reverseLog', conditions: [] };
  assert.deepEqual(gridValues(int), [100, 91, 1]);
});

test('booleans: values (true, false) as KerasTuner\'s, a non-boolean default is an error', () => {
  assert.deepEqual(gridValues({ type: 'boolean', name: 'b', conditions: [] }), [true, false]);
  const hp = new HyperParameters();
  assert.throws(() => hp.boolean('x', { default: null as unknown as boolean }), /Hyperparameter "x": a boolean default must be true or false \(got null\)/);
  assert.throws(() => hp.boolean('y', { default: 'yes' as unknown as boolean }), /a boolean default must be true or false \(got "yes"\)/);
  assert.equal(hp.space.length, 0);
});

test('a condition whose parent values are null or undefined is refused', () => {
  const hp = new HyperParameters();
  hp.choice('kind', ['a', 'b']);
  assert.throws(() => hp.int('u', { min: 1, max: 4, parentName: 'kind', parentValues: [null as unknown as string] }),
    /Condition on "kind": parent values must be strings, numbers or booleans \(got \[null\]\)/);
  assert.throws(() => hp.conditionalScope('kind', ['a', undefined as unknown as string], () => 1), /parent values must be strings, numbers or booleans/);
});

test('a hyperparameter under an inactive parent returns null (KerasTuner\'s None), yet joins the space', () => {
  const hp = new HyperParameters();
  hp.choice('kind', ['a', 'b']);
  assert.equal(hp.int('units', { min: 8, max: 64, default: 16, parentName: 'kind', parentValues: ['b'] }), null);
  assert.equal(hp.float('rate', { min: 0.1, max: 0.5, parentName: 'kind', parentValues: ['b'] }), null);
  assert.equal(hp.choice('act', ['relu', 'tanh'], { parentName: 'kind', parentValues: ['b'] }), null);
  assert.equal(hp.boolean('bn', { default: true, parentName: 'kind', parentValues: ['b'] }), null);
  assert.equal(hp.fixed('k', 3, { parentName: 'kind', parentValues: ['b'] }), null);
  assert.deepEqual(hp.space.map((s) => s.name), ['kind', 'units', 'rate', 'act', 'bn', 'k']);
  assert.deepEqual(hp.values, { kind: 'a' });
  // active: the default
  assert.equal(hp.int('units', { min: 8, max: 64, default: 16, parentName: 'kind', parentValues: ['a', 'b'] }), 16);
});
