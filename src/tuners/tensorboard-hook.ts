/**
 * How `search({tensorboard: dir})` reaches the TensorBoard module without the search importing it:
 * the package entry point (and the CLI) connect it.
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

