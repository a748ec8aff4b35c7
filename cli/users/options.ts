/** Option parsing shared by the `users` subcommands. */
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
