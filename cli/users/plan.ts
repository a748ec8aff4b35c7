/**
 * The import plan: what each row needs, from the rows and the pool's current
 * state. Pure, so `--dry-run` and the real run agree by construction.
 *
 * By default an import only ever adds: missing users are created, missing
 * group memberships added, and nothing is taken away (a CSV that forgets a
 * group must not lock someone out of an app). `exact` also removes groups a
 * listed user has but the row does not name. Users absent from the file are
 * never touched.
 */
import type { ImportRow } from './csv.js';

export type PlanAction = 'create' | 'update' | 'unchanged';

export interface PlannedRow {
  readonly line: number;
  readonly email: string;
  readonly action: PlanAction;
  /** Groups to add (all of the row's groups for a new user). */
  readonly addGroups: readonly string[];
  /** Groups to remove (only with exact). */
  readonly removeGroups: readonly string[];
  readonly name?: string;
  /** The name attribute must be written (new user with a name, or a changed name). */
  readonly setName: boolean;
}

export interface ExistingUser {
  readonly groups: readonly string[];
  readonly name?: string;
}

export interface PlanOptions {
  readonly exact?: boolean;
}

export function planImport(
  rows: readonly ImportRow[],
  existing: ReadonlyMap<string, ExistingUser>,
  opts: PlanOptions = {},
): PlannedRow[] {
  return rows.map((row) => {
    const current = existing.get(row.email);
    if (!current) {
      return {
        line: row.line,
        email: row.email,
        action: 'create',
        addGroups: [...row.groups].sort(),
        removeGroups: [],
        ...(row.name ? { name: row.name } : {}),
        setName: Boolean(row.name),
      };
    }
    const has = new Set(current.groups);
    const wants = new Set(row.groups);
    const addGroups = [...wants].filter((g) => !has.has(g)).sort();
    const removeGroups = opts.exact ? [...has].filter((g) => !wants.has(g)).sort() : [];
    const setName = Boolean(row.name) && row.name !== current.name;
    const changed = addGroups.length > 0 || removeGroups.length > 0 || setName;
    return {
      line: row.line,
      email: row.email,
      action: changed ? 'update' : 'unchanged',
      addGroups,
      removeGroups,
      ...(row.name ? { name: row.name } : {}),
      setName,
    };
  });
}

/** One line per row for the dry-run listing: `line 4  create  ana@example.org  +shiny_users`. */
export function describePlannedRow(row: PlannedRow): string {
  const changes = [
    ...row.addGroups.map((g) => `+${g}`),
    ...row.removeGroups.map((g) => `-${g}`),
    ...(row.setName && row.action === 'update' ? [`name "${row.name}"`] : []),
  ];
  return `line ${row.line}  ${row.action.padEnd(9)}  ${row.email}${changes.length ? `  ${changes.join(' ')}` : ''}`;
}
