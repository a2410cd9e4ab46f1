/**
 * The search-space types this area reads, copied verbatim from CONTRACTS.md (owned by src/tuners).
 * Once src/tuners/hyperparameters.ts is on this branch, this file should re-export from there.
 */
export type Sampling = 'linear' | 'log' | 'reverseLog';
export type HyperValue = string | number | boolean;
export interface Condition { parentName: string; parentValues: HyperValue[] }
export type HyperParameterSpec =
  | { type: 'int'; name: string; min: number; max: number; step?: number; sampling: Sampling; default?: number; conditions: Condition[] }
  | { type: 'float'; name: string; min: number; max: number; step?: number; sampling: Sampling; default?: number; conditions: Condition[] }
  | { type: 'choice'; name: string; values: HyperValue[]; ordered: boolean; default?: HyperValue; conditions: Condition[] }
  | { type: 'boolean'; name: string; default?: boolean; conditions: Condition[] }
  | { type: 'fixed'; name: string; value: HyperValue; conditions: Condition[] };
