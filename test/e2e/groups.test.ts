/** `shinykit groups list` and `groups rename` end to end: the built CLI against a pool in moto and the bundled shinykit.yaml. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../support/moto.js';
import { createPool, type PoolFixture } from '../support/users-fixture.js';

let moto: Moto;
let pool: PoolFixture;

beforeAll(async () => {
  moto = await startMoto();
  // The pool lacks dash_users (declared in shinykit.yaml) and has "finance" (not declared).
  pool = await createPool(moto, {
    admin_users: 'Every app and the ShinyProxy admin page',
    shiny_users: 'The Shiny example app',
    finance: 'Pool-only',
    finance_team: 'The renamed finance group, deployed beside it',
  });
  await pool.seed('ana@example.org', ['shiny_users', 'admin_users']);
  await pool.seed('bo@example.org', ['shiny_users']);
  for (let i = 0; i < 61; i++) await pool.seed(`f${i}@example.org`, ['finance']);
});
afterAll(async () => {
  await moto?.stop();
});

describe('shinykit groups list', () => {
  it('--json gives each group with description, member count (past one page) and the apps it opens', async () => {
    const res = await pool.cli(['groups', 'list', '--json']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([
      { name: 'admin_users', description: 'Every app and the ShinyProxy admin page', members: 1, apps: ['shiny-demo', 'dash-demo'], admin: true, declared: true, inPool: true },
      { name: 'dash_users', description: 'The Dash example app', members: 0, apps: ['dash-demo'], admin: false, declared: true, inPool: false },
      { name: 'finance', description: 'Pool-only', members: 61, apps: [], admin: false, declared: false, inPool: true },
      { name: 'finance_team', description: 'The renamed finance group, deployed beside it', members: 0, apps: [], admin: false, declared: false, inPool: true },
      { name: 'shiny_users', description: 'The Shiny example app', members: 2, apps: ['shiny-demo'], admin: false, declared: true, inPool: true },
    ]);
  });

  it('prints a table and warns about groups missing on either side', async () => {
    const res = await pool.cli(['groups', 'list']);
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^GROUP\s+MEMBERS\s+APPS\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^admin_users\s+1\s+shiny-demo, dash-demo, \(admin page\)\s+Every app/);
    expect(lines[5]).toMatch(/^shiny_users\s+2\s+shiny-demo\s+The Shiny example app$/);
    expect(res.stderr).toContain('group dash_users is in shinykit.yaml but not in the user pool');
    expect(res.stderr).toContain('group finance is in the user pool but not in shinykit.yaml, so it opens no app');
  });

  it('a missing outputs file is a usage error naming it (exit 2)', async () => {
    const res = await pool.cli(['--outputs', '/nonexistent/cdk-outputs.json', 'groups', 'list']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('/nonexistent/cdk-outputs.json');
  });
});

describe('shinykit groups rename', () => {
  it('refuses a new group the stack has not created yet (exit 2), saying to declare and deploy it first', async () => {
    const res = await pool.cli(['groups', 'rename', 'shiny_users', 'shiny_team']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('the user pool has no group "shiny_team" yet');
    expect(res.stderr).toContain('declare shiny_team in shinykit.yaml under cognito.groups, keeping shiny_users, deploy');
  });

  it('copies every member (past one page) into the new group, keeps them in the old one, and is safe to run again', async () => {
    const first = await pool.cli(['groups', 'rename', 'finance', 'finance_team', '--json']);
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ from: 'finance', to: 'finance_team', copied: 61, already: 0, configReferences: [] });
    const again = await pool.cli(['groups', 'rename', 'finance', 'finance_team', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ copied: 0, already: 61 });
    const list = JSON.parse((await pool.cli(['groups', 'list', '--json'])).stdout) as Array<{ name: string; members: number }>;
    expect(list.find((g) => g.name === 'finance_team')?.members).toBe(61);
    expect(list.find((g) => g.name === 'finance')?.members).toBe(61);
  });

  it('names where shinykit.yaml still uses the old group', async () => {
    const res = await pool.cli(['groups', 'rename', 'shiny_users', 'admin_users']);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain('copied 1 member(s) of shiny_users into admin_users (1 already there)');
    expect(res.stdout).toContain('remove shiny_users from cognito.groups and replace it with admin_users in apps[0].groups (shiny-demo)');
  });
});
