/**
 * Where things are printed: results to stdout (so `--json | jq` works), logs,
 * progress and prompts to stderr. Colour only on a TTY, never under NO_COLOR.
 */
import { stderr, stdout } from 'node:process';

export interface Output {
  /** A result line (stdout). */
  result(text: string): void;
  /** A JSON result (stdout), stable 2-space formatting. */
  json(value: unknown): void;
  /** A log line (stderr). */
  info(text: string): void;
  warn(text: string): void;
  /** True when progress may animate: a TTY, not CI. */
  readonly interactive: boolean;
  readonly color: boolean;
}

export function useColor(stream: { isTTY?: boolean } = stderr): boolean {
  const noColor = process.env.NO_COLOR;
  return Boolean(stream.isTTY) && (noColor === undefined || noColor === '');
}

export function isInteractive(stream: { isTTY?: boolean } = stderr): boolean {
  return Boolean(stream.isTTY) && !process.env.CI;
}

const paint = (on: boolean, code: number) => (s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s);

export function createOutput(): Output {
  const color = useColor();
  const yellow = paint(color, 33);
  return {
    result: (text) => void stdout.write(`${text}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    info: (text) => void stderr.write(`${text}\n`),
    warn: (text) => void stderr.write(`${yellow('warning:')} ${text}\n`),
    interactive: isInteractive(),
    color,
  };
}

/** ✓/✗/! marks, coloured only when `color` is on (the symbols stay either way). */
export function marks(color: boolean): { ok: string; fail: string; warn: string } {
  return {
    ok: paint(color, 32)('✓'),
    fail: paint(color, 31)('✗'),
    warn: paint(color, 33)('!'),
  };
}
