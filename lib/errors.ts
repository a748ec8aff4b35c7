/**
 * Errors `lib/` throws for the user's mistakes (a bad config, a missing file it
 * names). The CLI and bin/shinykit.ts turn them into exit 2 with the message and
 * the hint; anything else `lib/` throws is a bug and exits 1.
 *
 * Each carries a stable string `code` (the aws-cdk toolkit's style) so callers and
 * tests match on the kind of mistake, never on message wording.
 * This module imports nothing, so the CLI's error mapper stays cheap to load.
 */

/** A mistake in what the user gave us: exit 2. */
export class InputError extends Error {
  constructor(
    /** Stable identifier of the kind of mistake, e.g. `SamlMetadataUnreadable`. */
    readonly code: string,
    message: string,
    /** What to do about it. */
    readonly hint?: string,
    opts: { readonly cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
  }
}

/** One problem found in a config file. */
export interface ConfigProblem {
  /** Dotted path with array indexes: `apps[1].port`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
  /** 1-based line in the file, when it could be located. */
  readonly line?: number;
}

/** A config that cannot be used; carries every problem, not just the first. */
export class ConfigError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super('InvalidConfig', `${file} is not a valid shinykit config:\n${problems.map((p) => `  ${formatProblem(file, p)}`).join('\n')}`);
  }
}

/** `apps[1].port: expected ... (shinykit.yaml line 12)` */
export function formatProblem(file: string, p: ConfigProblem): string {
  const where = p.line ? ` (${file} line ${p.line})` : '';
  return `${p.path ? `${p.path}: ` : ''}${p.message}${where}`;
}
