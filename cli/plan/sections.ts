/**
 * Sections other modules add to `shinykit plan`. A section is its own module
 * under cli/plan/ and one line in `PLAN_SECTIONS`; plan collects its data (under
 * `sections.<key>` in `--json`), prints its title and lines after the built-in
 * sections, may add one line to the summary, and may raise findings (an error
 * makes plan exit non-zero; a warning does with --strict).
 */
import type { Config } from '../../lib/config/index.js';
import { storageSection } from './storage.js';
import type { SynthesizedStack } from './synth.js';
import type { CfnTemplate } from './template.js';

export interface PlanFinding {
  readonly level: 'error' | 'warning';
  /** The section it comes from (`cost`, `host software`, a section's key, ...). */
  readonly source: string;
  /** What is wrong and what to do, in one or two sentences. */
  readonly message: string;
}

/** What a section may read. */
export interface PlanSectionInput {
  readonly config: Config;
  readonly configFile: string;
  /** shinykit.yaml's folder: relative paths in it resolve against this. */
  readonly configDir: string;
  readonly stacks: readonly SynthesizedStack[];
  readonly templates: readonly CfnTemplate[];
  /** The region the stacks deploy to, when known (see deployRegion). */
  readonly region?: string;
  /** Expected users (plan's --mau), for sections that size something per user. */
  readonly mau?: number;
}

export interface PlanSection<T = unknown> {
  /** Its key under `sections` in `plan --json`; never renamed once shipped. */
  readonly key: string;
  readonly title: string;
  /** Undefined: the section does not apply to this config and is left out. */
  collect(input: PlanSectionInput): T | undefined | Promise<T | undefined>;
  /** The section's lines, indented by two spaces. */
  format(data: T): string[];
  /** A line for the one-screen summary: [label, text]. */
  summary?(data: T): readonly [string, string] | undefined;
  findings?(data: T): PlanFinding[];
}

/** Collected section data, kept with its section for printing. */
export interface CollectedSection {
  readonly section: PlanSection;
  readonly data: unknown;
}

// One line per section module, in the order they print. (i12: deployed-kit changes, i13: TLS, i15: capacity.)
export const PLAN_SECTIONS: readonly PlanSection[] = [
  storageSection as PlanSection,
];

export async function collectSections(input: PlanSectionInput, sections: readonly PlanSection[] = PLAN_SECTIONS): Promise<CollectedSection[]> {
  const out: CollectedSection[] = [];
  for (const section of sections) {
    const data = await section.collect(input);
    if (data !== undefined) out.push({ section, data });
  }
  return out;
}
