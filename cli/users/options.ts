/** Option parsing shared by the `users` subcommands. */
import { InvalidArgumentError } from 'commander';

/** `--group a --group b,c` → [a, b, c]: repeatable, and commas accepted. */
export function collectGroups(value: string, previous: string[] = []): string[] {
  return [...previous, ...splitGroups(value)];
}

export function splitGroups(value: string): string[] {
  return value
    .split(',')
    .map((g) => g.trim())
    .filter(Boolean);
}

export function positiveNumber(what: string, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'a whole number' : 'a number'} above 0 for ${what}, got "${value}"`);
    }
    return n;
  };
}
