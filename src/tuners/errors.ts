/** The errors a hypermodel throws to end a trial or the search, and how the search loop reads them. */
/** Aborts the whole search (a configuration error no retry can fix). */
export class FatalError extends Error {
  override name = 'FatalError';
}
/** Throw from a hypermodel to fail a trial at once, without retries. */
export class FailedTrialError extends Error {
  override name = 'FailedTrialError';
}
/**
 * Throw from a hypermodel for a configuration that cannot work (e.g. pooling shrinks the image below
 * one pixel): the trial ends INVALID with the message, is not retried and does not count as a failure.
 * Errors named 'InvalidModelError' (the CNN builder's) are treated the same.
 */
export class InvalidTrialError extends Error {
  override name = 'InvalidTrialError';
}
const INVALID_ERROR_NAMES = new Set(['InvalidTrialError', 'InvalidModelError']);

/** How a trial error ends the trial (serial and parallel searches alike). FatalError ends the search. */
export function classifyTrialError(name: string | undefined): { status: 'FAILED' | 'INVALID'; retry: boolean } {
  return { status: name === 'FailedTrialError' ? 'FAILED' : 'INVALID', retry: !INVALID_ERROR_NAMES.has(name ?? '') };
}

