import { describe, expect, it } from 'vitest';
import { formatExportCsv, parseImportCsv } from '../../../cli/users/csv.js';
import { checkEmail } from '../../../cli/users/email.js';
import { describePlannedRow, planImport } from '../../../cli/users/plan.js';

const KNOWN = new Set(['a', 'b', 'c']);

describe('checkEmail', () => {
  it('trims and lower-cases valid addresses', () => {
    expect(checkEmail('  Ana.Lima+x@Example.ORG ')).toEqual({ ok: true, email: 'ana.lima+x@example.org' });
  });
  it.each(['', 'ana', 'ana@', '@example.org', 'ana@example', 'an a@example.org', 'ana@@example.org', '.ana@example.org', 'a..b@example.org', 'ana@-x.org'])(
    'rejects %j',
    (raw) => expect(checkEmail(raw).ok).toBe(false),
  );
});

describe('parseImportCsv', () => {
  it('parses rows with line numbers, ;-separated groups, optional name, a BOM and CRLF', () => {
    const text = '\uFEFFemail,groups,name\r\nAna@Example.org, a ; b ,Ana\r\n\r\nbo@example.org,,\r\n"cy@example.org","c","Cy, Jr."\r\n';
    expect(parseImportCsv(text, KNOWN)).toEqual({
      rows: [
        { line: 2, email: 'ana@example.org', groups: ['a', 'b'], name: 'Ana' },
        { line: 4, email: 'bo@example.org', groups: [] },
        { line: 5, email: 'cy@example.org', groups: ['c'], name: 'Cy, Jr.' },
      ],
      problems: [],
      skipped: [],
    });
  });

  it('reads an export: ignores status and enabled, skips federated users, round-trips names with commas and quotes', () => {
    const text = formatExportCsv([
      { email: 'ana@example.org', groups: ['a', 'b'], name: 'Lima, Ana "A"', status: 'CONFIRMED', enabled: false, provider: 'COGNITO' },
      { email: 'bo@example.org', groups: [], status: 'FORCE_CHANGE_PASSWORD', enabled: true, provider: 'COGNITO' },
      { email: 'cy@example.org', groups: ['c'], status: 'EXTERNAL_PROVIDER', enabled: true, provider: 'EntraID' },
    ]);
    expect(text.split('\n')[0]).toBe('email,groups,name,status,enabled,provider');
    expect(parseImportCsv(text, KNOWN)).toEqual({
      rows: [
        { line: 2, email: 'ana@example.org', groups: ['a', 'b'], name: 'Lima, Ana "A"' },
        { line: 3, email: 'bo@example.org', groups: [] },
      ],
      problems: [],
      skipped: [{ line: 4, email: 'cy@example.org', provider: 'EntraID' }],
    });
  });

  it('refuses extra columns other than the export\'s, and a repeated one', () => {
    expect(parseImportCsv('email,groups,name,password\n', KNOWN).problems[0]?.message).toMatch(/optionally followed by the export's status, enabled, provider columns/);
    expect(parseImportCsv('email,groups,name,status,status\n', KNOWN).problems).toHaveLength(1);
  });

  it('collects every problem of every row, not just the first', () => {
    const text = ['email,groups,name', 'bad,x;a,', 'ok@example.org,a,', 'OK@example.org,b,'].join('\n');
    const { problems } = parseImportCsv(text, KNOWN);
    expect(problems).toEqual([
      { line: 2, message: '"bad" is not a valid email address (expected name@example.org)' },
      { line: 2, message: 'unknown group "x" (the pool has a, b, c)' },
      { line: 4, message: 'ok@example.org is already on line 3; list each user once' },
    ]);
  });

  it('reports a broken quote with its line, a wrong header, and an empty file', () => {
    expect(parseImportCsv('email,groups,name\n"ana@example.org,a,\n', KNOWN).problems[0]).toMatchObject({ line: 2, message: expect.stringContaining('not valid CSV') });
    expect(parseImportCsv('email,name,groups\n', KNOWN).problems[0]?.message).toContain('expected "email,groups,name", optionally followed by');
    expect(parseImportCsv('', KNOWN).problems[0]?.message).toContain('the file is empty');
    expect(parseImportCsv('email,groups,name\n', KNOWN).problems[0]?.message).toContain('no users');
  });
});

describe('planImport', () => {
  const rows = [
    { line: 2, email: 'new@x.org', groups: ['b', 'a'], name: 'New' },
    { line: 3, email: 'old@x.org', groups: ['a', 'b'] },
    { line: 4, email: 'same@x.org', groups: ['a'], name: 'Same' },
    { line: 5, email: 'renamed@x.org', groups: ['a'], name: 'New Name' },
  ];
  const existing = new Map([
    ['old@x.org', { groups: ['a', 'c'] }],
    ['same@x.org', { groups: ['a', 'c'], name: 'Same' }],
    ['renamed@x.org', { groups: ['a'], name: 'Old Name' }],
  ]);

  it('by default only adds: creates new users, adds missing groups, never removes', () => {
    const plan = planImport(rows, existing);
    expect(plan.map((p) => [p.action, p.addGroups, p.removeGroups, p.setName])).toEqual([
      ['create', ['a', 'b'], [], true],
      ['update', ['b'], [], false],
      ['unchanged', [], [], false],
      ['update', [], [], true],
    ]);
    expect(describePlannedRow(plan[1]!)).toBe('line 3  update     old@x.org  +b');
    expect(describePlannedRow(plan[3]!)).toBe('line 5  update     renamed@x.org  name "New Name"');
  });

  it('with exact also removes groups the row does not name', () => {
    const plan = planImport(rows, existing, { exact: true });
    expect(plan.map((p) => [p.action, p.addGroups, p.removeGroups])).toEqual([
      ['create', ['a', 'b'], []],
      ['update', ['b'], ['c']],
      ['update', [], ['c']],
      ['update', [], []],
    ]);
  });
});
