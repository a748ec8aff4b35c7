/**
 * `shinykit users import` end to end: the built CLI against moto, with a
 * recording proxy in front where the test must prove which calls were made.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFaultProxy } from '../support/fault-proxy.js';
import { freshPoolEachTest } from '../support/users-fixture.js';

const pool = freshPoolEachTest();

function csv(name: string, lines: readonly string[]): string {
  const file = join(pool.dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const READS = new Set(['ListGroups', 'ListUsers', 'ListUsersInGroup', 'AdminGetUser', 'AdminListGroupsForUser']);

describe('shinykit users import', () => {
  it('reports every bad row with its line number, exits 2 and writes nothing', async () => {
    const file = csv('bad.csv', [
      'email,groups,name',
      'ana@example.org,shiny_users,Ana', // 2: fine
      'not-an-email,shiny_users,', // 3: bad email
      '', // 4: blank lines are skipped
      'bo@example.org,shiny_users;finance,Bo', // 5: unknown group
      'ANA@example.org,dash_users,Ana again', // 6: duplicate of line 2 after normalising
      'cy@example.org,dash_users,Cy,extra', // 7: too many columns
      '"dee@example.org","admin_users;dash_users","Dee, D."', // 8: fine (quoted comma)
    ]);
    const res = await pool.cli(['users', 'import', file]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`${file}: 4 bad rows, nothing was imported`);
    expect(res.stderr).toContain('line 3: "not-an-email" is not a valid email address');
    expect(res.stderr).toContain('line 5: unknown group "finance" (the pool has admin_users, dash_users, shiny_users)');
    expect(res.stderr).toContain('line 6: ana@example.org is already on line 2; list each user once');
    expect(res.stderr).toContain('line 7: expected 3 columns (email,groups,name), found 4');
    expect(res.stderr).not.toMatch(/line (2|4|8):/);
    expect((await pool.snapshot()).size).toBe(0);
  });

  it('refuses a wrong header and a missing file with exit 2', async () => {
    const res = await pool.cli(['users', 'import', csv('header.csv', ['mail,groups,name', 'ana@example.org,shiny_users,Ana'])]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('line 1: the header is "mail,groups,name"; expected "email,groups,name", optionally followed by the export\'s status, enabled, provider columns');
    const missing = await pool.cli(['users', 'import', join(pool.dir, 'nope.csv')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });

  it('--dry-run prints the plan (create / update / unchanged) and makes no write call', async () => {
    await pool.seed('old@example.org', ['shiny_users']);
    await pool.seed('same@example.org', ['dash_users']);
    const before = await pool.snapshot();
    const file = csv('plan.csv', [
      'email,groups,name',
      'new@example.org,shiny_users;dash_users,New',
      'old@example.org,shiny_users;admin_users,',
      'same@example.org,dash_users,',
    ]);
    const proxy = await startFaultProxy({ target: pool.moto.url });
    try {
      const res = await pool.cli(['users', 'import', file, '--dry-run'], { endpoint: proxy.url });
      expect(res.exitCode).toBe(0);
      expect(res.stdout.trim().split('\n')).toEqual([
        'line 2  create     new@example.org  +dash_users +shiny_users',
        'line 3  update     old@example.org  +admin_users',
        'line 4  unchanged  same@example.org',
      ]);
      expect(res.stderr).toContain('dry run, nothing changed: 1 to create, 1 to update, 1 unchanged');
      const operations = new Set(proxy.calls.map((c) => c.operation));
      expect([...operations].filter((op) => !READS.has(op))).toEqual([]);
      const json = await pool.cli(['users', 'import', file, '--dry-run', '--json'], { endpoint: proxy.url });
      const body = JSON.parse(json.stdout) as { dryRun: boolean; plan: Record<string, number>; rows: Array<{ action: string }> };
      expect(body.dryRun).toBe(true);
      expect(body.plan).toEqual({ create: 1, update: 1, unchanged: 1 });
      expect([...new Set(proxy.calls.map((c) => c.operation))].filter((op) => !READS.has(op))).toEqual([]);
    } finally {
      await proxy.close();
    }
    expect(await pool.snapshot()).toEqual(before);
  });

  it('imports, reports each row, only adds groups by default, and converges when run again', async () => {
    await pool.seed('old@example.org', ['shiny_users', 'admin_users']);
    const file = csv('users.csv', [
      'email,groups,name',
      'ana@example.org,shiny_users;dash_users,Ana Lima',
      'Old@Example.org,dash_users,Old Timer',
      'bo@example.org,,',
    ]);
    const res = await pool.cli(['users', 'import', file]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('line 2  created    ana@example.org  +dash_users +shiny_users');
    expect(res.stdout).toContain('line 3  updated    old@example.org  +dash_users');
    expect(res.stdout).toContain('line 4  created    bo@example.org');
    expect(res.stderr).toMatch(/imported 3 rows in [\d.]+ s: 2 created, 1 updated, 0 unchanged, 0 failed/);
    let users = await pool.snapshot();
    expect(users.get('ana@example.org')).toMatchObject({ name: 'Ana Lima', groups: ['dash_users', 'shiny_users'] });
    // Add-only: the groups old@ had and the file does not name are kept.
    expect(users.get('old@example.org')).toMatchObject({ name: 'Old Timer', groups: ['admin_users', 'dash_users', 'shiny_users'] });
    expect(users.get('bo@example.org')?.groups).toEqual([]);

    const again = await pool.cli(['users', 'import', file, '--json']);
    expect(again.exitCode).toBe(0);
    const body = JSON.parse(again.stdout) as { summary: Record<string, number> };
    expect(body.summary).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
    expect((await pool.snapshot()).size).toBe(3);

    // --exact makes the groups exactly the listed ones.
    const exact = await pool.cli(['users', 'import', file, '--exact']);
    expect(exact.exitCode).toBe(0);
    expect(exact.stdout).toContain('line 3  updated    old@example.org  -admin_users -shiny_users');
    users = await pool.snapshot();
    expect(users.get('old@example.org')?.groups).toEqual(['dash_users']);
    expect(users.get('ana@example.org')?.groups).toEqual(['dash_users', 'shiny_users']);
  });

  it('rows still failing after the retries run out are listed by line, exit 1, and a re-run converges', async () => {
    const file = csv('partial.csv', ['email,groups,name', 'ok@example.org,shiny_users,', 'doomed@example.org,dash_users,']);
    // Every group add is throttled, every time: the users are created, the adds run out of retries.
    const proxy = await startFaultProxy({ target: pool.moto.url, throttleRate: 1, faultable: (op) => op === 'AdminAddUserToGroup' });
    try {
      const res = await pool.cli(['users', 'import', file, '--rate', '200'], { endpoint: proxy.url });
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain('2 rows of');
      expect(res.stderr).toMatch(/line 2 ok@example\.org: TooManyRequestsException/);
      expect(res.stderr).toMatch(/line 3 doomed@example\.org: TooManyRequestsException/);
      expect(res.stdout).toMatch(/line 2  failed +ok@example\.org/);
      expect(res.stderr).toContain('hint: run the same import again');
      expect(proxy.count('AdminAddUserToGroup')).toBe(16); // 8 attempts per row: the pacer's retries, not the SDK's
    } finally {
      await proxy.close();
    }
    // Re-running without faults converges: both users in their groups, no duplicates.
    const rerun = await pool.cli(['users', 'import', file]);
    expect(rerun.exitCode).toBe(0);
    const users = await pool.snapshot();
    expect(users.size).toBe(2);
    expect(users.get('ok@example.org')?.groups).toEqual(['shiny_users']);
    expect(users.get('doomed@example.org')?.groups).toEqual(['dash_users']);
  });
});
