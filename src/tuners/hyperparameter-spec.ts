/** The serializable description of one hyperparameter: what the space, sampling and storage share. */
export type Sampling = 'linear' | 'log' | 'reverseLog';
export type HyperValue = string | number | boolean;
export interface Condition { parentName: string; parentValues: HyperValue[] }
export type HyperParameterSpec =
  | { type: 'int'; name: string; min: number; max: number; step?: number; sampling: Sampling; default?: number; conditions: Condition[] }
  | { type: 'float'; name: string; min: number; max: number; step?: number; sampling: Sampling; default?: number; conditions: Condition[] }
  | { type: 'choice'; name: string; values: HyperValue[]; ordered: boolean; default?: HyperValue; conditions: Condition[] }
  | { type: 'boolean'; name: string; default?: boolean; conditions: Condition[] }
  | { type: 'fixed'; name: string; value: HyperValue; conditions: Condition[] };
