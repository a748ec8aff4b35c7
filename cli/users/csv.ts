/**
 * The import file: `email,groups,name`, groups `;`-separated. The whole file is
 * checked before anything is written, and every bad row is reported with its
 * line number, so one run tells the admin everything to fix.
 */
import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { UsageError } from '../lib/errors.js';
import { checkEmail } from './email.js';

export const CSV_HEADER = ['email', 'groups', 'name'] as const;
/**
 * Columns `users export` adds after the three import reads. Import accepts them
 * and ignores them, except that a row whose provider is not COGNITO (a federated
 * user, re-created by Cognito at their next sign-in) is skipped: creating a local
 * account for that address would give the person a second, password account.
 */
export const EXPORT_EXTRA_COLUMNS = ['status', 'enabled', 'provider'] as const;

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
  /** Rows of federated users in an export (provider column not COGNITO): not imported. */
  readonly skipped: ReadonlyArray<{ readonly line: number; readonly email: string; readonly provider: string }>;
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
      return { rows: [], skipped: [], problems: [{ line, message: `the file is not valid CSV: ${err.message}` }] };
    }
    throw err;
  }
  const [head, ...body] = records;
  if (!head) return { rows: [], skipped: [], problems: [{ line: 1, message: `the file is empty; expected the header ${CSV_HEADER.join(',')}` }] };
  const header = head.record.map((h) => h.toLowerCase());
  const extra = header.slice(CSV_HEADER.length);
  if (
    header.length < CSV_HEADER.length ||
    CSV_HEADER.some((h, i) => header[i] !== h) ||
    extra.some((h) => !(EXPORT_EXTRA_COLUMNS as readonly string[]).includes(h)) ||
    new Set(extra).size !== extra.length
  ) {
    return {
      rows: [],
      skipped: [],
      problems: [
        {
          line: head.info.lines,
          message: `the header is "${head.record.join(',')}"; expected "${CSV_HEADER.join(',')}", optionally followed by the export's ${EXPORT_EXTRA_COLUMNS.join(', ')} columns`,
        },
      ],
    };
  }
  const providerColumn = header.indexOf('provider');
  const skipped: Array<{ line: number; email: string; provider: string }> = [];
  const rows: ImportRow[] = [];
  const problems: RowProblem[] = [];
  const firstLine = new Map<string, number>();
  const known = [...knownGroups].sort().join(', ') || 'none';
  for (const { record, info } of body) {
    const line = info.lines;
    const rowProblems: string[] = [];
    if (record.length > header.length) {
      rowProblems.push(`expected ${header.length} columns (${header.join(',')}), found ${record.length}; quote names that contain commas`);
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
    const provider = providerColumn >= 0 ? (record[providerColumn] ?? '').trim() : '';
    if (provider !== '' && provider.toUpperCase() !== 'COGNITO') {
      // A federated user: Cognito creates them at sign-in; only the email is checked.
      if (email.ok) skipped.push({ line, email: email.email, provider });
      else problems.push({ line, message: email.problem });
      continue;
    }
    if (rowProblems.length > 0) {
      problems.push(...rowProblems.map((message) => ({ line, message })));
      continue;
    }
    rows.push({ line, email: (email as { email: string }).email, groups, ...(rawName ? { name: rawName } : {}) });
  }
  if (body.length === 0) problems.push({ line: head.info.lines, message: 'the file has a header but no users' });
  return { rows, problems, skipped };
}

/** One CSV field: quoted when it holds a comma, quote, or line break (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface ExportRow {
  readonly email: string;
  readonly groups: readonly string[];
  readonly name?: string;
  readonly status: string;
  readonly enabled: boolean;
  readonly provider: string;
}

/** The export file: what `parseImportCsv` reads, plus the status, enabled and provider columns it ignores. */
export function formatExportCsv(rows: readonly ExportRow[]): string {
  const lines = [[...CSV_HEADER, ...EXPORT_EXTRA_COLUMNS].join(',')];
  for (const r of rows) {
    lines.push([r.email, [...r.groups].join(';'), r.name ?? '', r.status, r.enabled ? 'true' : 'false', r.provider].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The text of a users CSV file (import, invite --file); a file that cannot be read is a usage error. */
export function readUsersCsv(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}${code === 'ENOENT' ? ': no such file' : ` (${code ?? String(err)})`}`, {
      hint: `pass a CSV file whose first line is ${CSV_HEADER.join(',')}`,
    });
  }
}
