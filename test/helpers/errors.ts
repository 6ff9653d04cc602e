import { expect } from 'vitest';
import { DeepvisError } from '../../src/errors';

/** Runs `fn` and returns `'CODE: message'` of the DeepvisError it throws, or 'no error'. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DeepvisError);
    return `${(e as DeepvisError).code}: ${(e as Error).message}`;
  }
  return 'no error';
}
