/**
 * npm run example: the main job on the bundled ToonVision-like fixtures (four cog suits).
 * Tunes the built-in CNN with Hyperband, evaluates the best model on the test folder and prints where
 * the report is. It runs the same code as these commands:
 *
 *   tfjs-tuner tune --train fixtures/toonvision/train --val fixtures/toonvision/val --test fixtures/toonvision/test \
 *     --tuner hyperband --max-epochs 9 --factor 3 --image-size 48x48 --augment flip \
 *     --space '{"num_blocks":{"max":2}}' \
 *     --seed 1 --directory example-output --project-name toonvision --overwrite
 *   tfjs-tuner evaluate --model example-output/toonvision/best-model --test fixtures/toonvision/test
 */
import { main } from '../src/cli/main.js';

// The default ranges with at most 2 blocks, so the example ends in a few minutes on 2 cores.
const SPACE = { num_blocks: { max: 2 } };

const run = async (args: string[]) => {
  console.log(`\n$ tfjs-tuner ${args.join(' ')}\n`);
  const code = await main(args);
  if (code !== 0) process.exit(code);
};

await run([
  'tune', '--train', 'fixtures/toonvision/train', '--val', 'fixtures/toonvision/val', '--test', 'fixtures/toonvision/test',
  '--tuner', 'hyperband', '--max-epochs', '9', '--factor', '3', '--image-size', '48x48', '--augment', 'flip',
  '--space', JSON.stringify(SPACE),
  '--seed', '1', '--directory', 'example-output', '--project-name', 'toonvision', '--overwrite',
]);
await run(['evaluate', '--model', 'example-output/toonvision/best-model', '--test', 'fixtures/toonvision/test']);
console.log('\nOpen example-output/toonvision/report.html in a browser for the trials, learning curves and the best model on the validation and test sets.');
