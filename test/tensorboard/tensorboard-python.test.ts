/**
 * Optional cross-check with TensorBoard's own Python reader (plugin_event_accumulator, the loader
 * behind the scalars and hparams dashboards). Skipped, with a message, where the `tensorboard` Python
 * package is not importable (it cannot be installed here: PyPI is unreachable).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrialLogger, writeHparamsExperiment } from '../../src/tensorboard/trial-logger.js';

const PYTHON = process.env.PYTHON ?? 'python3';
const probe = spawnSync(PYTHON, ['-c', 'import tensorboard'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false
  : `Python package "tensorboard" is not importable with ${PYTHON} (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()}); install it to cross-check with TensorBoard's reader`;

const READER = `
import json, sys
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util
out = {}
def tags(acc, plugin):
    try:  # newer TensorBoard raises KeyError for a plugin with no data in this run
        return acc.PluginTagToContent(plugin)
    except KeyError:
        return {}
for run in sys.argv[1:]:
    acc = pea.EventAccumulator(run, size_guidance={pea.TENSORS: 0})
    acc.Reload()
    scalars = {tag: [[e.step, float(tensor_util.make_ndarray(e.tensor_proto).item())] for e in acc.Tensors(tag)]
               for tag, content in tags(acc, 'scalars').items()}
    hparams = {}
    for tag, content in tags(acc, 'hparams').items():
        data = plugin_data_pb2.HParamsPluginData.FromString(content)
        hparams[tag] = data.WhichOneof('data')
        if data.HasField('session_start_info'):
            hparams['values'] = {k: v.WhichOneof('kind') + ':' + str(getattr(v, v.WhichOneof('kind'))) for k, v in data.session_start_info.hparams.items()}
            hparams['group'] = data.session_start_info.group_name
        if data.HasField('session_end_info'):
            hparams['status'] = data.session_end_info.status
        if data.HasField('experiment'):
            hparams['domains'] = {h.name: h.WhichOneof('domain') for h in data.experiment.hparam_infos}
    out[run] = {'scalars': scalars, 'hparams': hparams, 'writer': getattr(acc, 'GetSourceWriter', lambda: None)()}
print(json.dumps(out))
`;

test('TensorBoard\'s own EventAccumulator reads our scalars and hparams', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tb-python-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeHparamsExperiment(dir, [
    { type: 'choice', name: 'act', values: ['relu', 'tanh'], ordered: false, conditions: [] },
    { type: 'float', name: 'lr', min: 1e-4, max: 1e-2, sampling: 'log', conditions: [] },
  ], ['loss', 'val_loss']);
  const logger = new TrialLogger(dir, '0000', 0, { act: 'tanh', lr: 0.001 });
  const cb = logger.callback();
  await cb.onEpochEnd(0, { loss: 0.5, val_loss: 0.75 });
  await cb.onEpochEnd(1, { loss: 0.25, val_loss: 0.5 });
  await logger.end('COMPLETED', { score: 0.5, step: 1 });

  const session = join(dir, '0000', 'execution0');
  const runs = [dir, session, join(session, 'train'), join(session, 'validation')];
  const r = spawnSync(PYTHON, ['-c', READER, ...runs], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assert.deepEqual(got[dir].hparams.domains, { act: 'domain_discrete', lr: 'domain_interval' });
  assert.deepEqual(got[session].hparams.values, { act: 'string_value:tanh', lr: 'number_value:0.001' });
  assert.equal(got[session].hparams.group, '0000');
  assert.equal(got[session].hparams.status, 1); // STATUS_SUCCESS
  assert.deepEqual(got[session].scalars.score, [[1, 0.5]]);
  assert.deepEqual(got[join(session, 'train')].scalars.epoch_loss, [[0, 0.5], [1, 0.25]]);
  assert.deepEqual(got[join(session, 'validation')].scalars.epoch_loss, [[0, 0.75], [1, 0.5]]);
  const writer = got[join(session, 'train')].writer;
  if (writer !== null) assert.equal(writer, 'tfjs-tuner'); // older TensorBoards lack GetSourceWriter
});
