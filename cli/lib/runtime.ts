/**
 * What the entry (cli/index.ts) knows about the process a command runs in: the terminal
 * facts the I/O host is built from, how long waits poll, and the environment. Kept apart
 * from context.ts so the entry can attach it without loading the config schema or the
 * AWS SDK (`shinykit --version` and `--help` load neither).
 */
import type { Command } from 'commander';
import type { IoFacts } from './io-host.js';

/** How often commands poll while they wait (milliseconds). */
export interface Timing {
  /** A host's read-only script run through SSM (status; apply's count of open sessions). */
  readonly hostCommandPollMs: number;
  /** apply: the deliver command on the host. */
  readonly applyPollMs: number;
  /** apply --wait-for-sessions: the open sessions. */
  readonly sessionPollMs: number;
  /** logs --follow: new log events. */
  readonly logsPollMs: number;
}

export const DEFAULT_TIMING: Timing = { hostCommandPollMs: 1000, applyPollMs: 3000, sessionPollMs: 30_000, logsPollMs: 2000 };

/** What the entry knows about the process a command runs in. */
export interface Runtime {
  readonly io: IoFacts;
  readonly timing: Timing;
  /** The environment commands consult for their documented settings (AWS_PROFILE, SHINYKIT_REGISTRY, ...). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Without an entry (a program built by a test or by docs/readme-gen.ts): plain text to the
 * process's streams, as if nothing were a terminal, the normal waits, and the process's
 * environment as it is.
 */
const PLAIN_RUNTIME: Runtime = {
  io: {
    isTTY: { stdin: false, stdout: false, stderr: false },
    isCI: false,
    noColor: false,
    streams: { stdout: { write: (t: string) => process.stdout.write(t) }, stderr: { write: (t: string) => process.stderr.write(t) } },
  },
  timing: DEFAULT_TIMING,
  env: process.env,
};

const runtimes = new WeakMap<Command, Runtime>();

/** Called by the entry on the root program: every command's context is built from `runtime`. */
export function attachRuntime(program: Command, runtime: Runtime): void {
  runtimes.set(program, runtime);
}

/** The runtime attached to `cmd`'s program, else the plain one. */
export function runtimeOf(cmd: Command): Runtime {
  let root = cmd;
  while (root.parent) root = root.parent;
  return runtimes.get(root) ?? PLAIN_RUNTIME;
}
