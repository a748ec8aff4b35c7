/** Option-value parsers shared by commands (commander calls them; a bad value exits 2). */
import { InvalidArgumentError } from 'commander';

/** A parser for a number above 0 (`integer`: a whole number) named `what` in its error. */
export function positiveNumber(what: string, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'a whole number' : 'a number'} above 0 for ${what}, got "${value}"`);
    }
    return n;
  };
}
