/**
 * The import file: `email,groups,name`, groups `;`-separated. The whole file is
 * checked before anything is written, and every bad row is reported with its
 * line number, so one run tells the admin everything to fix.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { checkEmail } from './email.js';

export const CSV_HEADER = ['email', 'groups', 'name'] as const;

export interface ImportRow {
  /** 1-based line in the file (the header is line 1). */
  readonly line: number;
  readonly email: string;
  readonly groups: readonly string[];
  readonly name?: string;
}

export interface RowProblem {
  readonly line: number;
  readonly message: string;
}

export interface ParsedCsv {
  readonly rows: readonly ImportRow[];
  readonly problems: readonly RowProblem[];
}

/**
 * Parses and checks the file. `knownGroups` are the pool's groups; a row naming
 * any other group is a problem (nothing is created for an unknown group).
 */
export function parseImportCsv(text: string, knownGroups: ReadonlySet<string>): ParsedCsv {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as typeof records;
  } catch (err) {
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines ?? 0;
      return { rows: [], problems: [{ line, message: `the file is not valid CSV: ${err.message}` }] };
    }
    throw err;
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], problems: [{ line: 1, message: `the file is empty; expected the header ${CSV_HEADER.join(',')}` }] };
  const header = head.record.map((h) => h.toLowerCase());
  if (header.length !== CSV_HEADER.length || header.some((h, i) => h !== CSV_HEADER[i])) {
    return {
      rows: [],
      problems: [{ line: head.info.lines, message: `the header is "${head.record.join(',')}"; expected exactly "${CSV_HEADER.join(',')}"` }],
    };
  }
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  const firstLine = new Map<string, number>();
  const known = [...knownGroups].sort().join(', ') || 'none';
  for (const { record, info } of body) {
    const line = info.lines;
    const rowProblems: string[] = [];
    if (record.length > CSV_HEADER.length) {
      rowProblems.push(`expected 3 columns (${CSV_HEADER.join(',')}), found ${record.length}; quote names that contain commas`);
    }
    const [rawEmail = '', rawGroups = '', rawName = ''] = record;
    const email = checkEmail(rawEmail);
    if (!email.ok) rowProblems.push(email.problem);
    const groups = [...new Set(rawGroups.split(';').map((g) => g.trim()).filter(Boolean))];
    const unknown = groups.filter((g) => !knownGroups.has(g));
    if (unknown.length > 0) {
      rowProblems.push(`unknown group${unknown.length > 1 ? 's' : ''} ${unknown.map((g) => `"${g}"`).join(', ')} (the pool has ${known})`);
    }
    if (email.ok) {
      const first = firstLine.get(email.email);
      if (first !== undefined) rowProblems.push(`${email.email} is already on line ${first}; list each user once`);
      else firstLine.set(email.email, line);
    }
    if (rowProblems.length > 0) {
      problems.push(...rowProblems.map((message) => ({ line, message })));
      continue;
    }
    rows.push({ line, email: (email as { email: string }).email, groups, ...(rawName ? { name: rawName } : {}) });
  }
  if (body.length === 0) problems.push({ line: head.info.lines, message: 'the file has a header but no users' });
  return { rows, problems };
}
