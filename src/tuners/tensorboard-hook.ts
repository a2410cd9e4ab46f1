/**
 * How `search({tensorboard: dir})` reaches the TensorBoard module without the search importing it:
 * the package entry point (and the CLI) connect it. (Kept as a hook because a search from
 * src/tuners alone must refuse {tensorboard} with a clear message: see tuner.test.ts.)
 */
import type { TensorBoardIntegration } from './tuner-options.js';

let tensorBoardIntegration: TensorBoardIntegration | undefined;
export function setTensorBoardIntegration(integration: TensorBoardIntegration | undefined): void {
  tensorBoardIntegration = integration;
}
/** @internal */
export function getTensorBoardIntegration(): TensorBoardIntegration | undefined {
  return tensorBoardIntegration;
}
