/** `shinykit groups list` end to end: the built CLI against a pool in moto and the bundled shinykit.yaml. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type Moto } from '../support/moto.js';
import { createPool, type PoolFixture } from '../support/users-fixture.js';

let moto: Moto;
let pool: PoolFixture;

beforeAll(async () => {
  moto = await startMoto();
  // The pool lacks dash_users (declared in shinykit.yaml) and has "finance" (not declared).
  pool = await createPool(moto, { admin_users: 'Every app and the ShinyProxy admin page', shiny_users: 'The Shiny example app', finance: 'Pool-only' });
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
      { name: 'shiny_users', description: 'The Shiny example app', members: 2, apps: ['shiny-demo'], admin: false, declared: true, inPool: true },
    ]);
  });

  it('prints a table and warns about groups missing on either side', async () => {
    const res = await pool.cli(['groups', 'list']);
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^GROUP\s+MEMBERS\s+APPS\s+DESCRIPTION$/);
    expect(lines[1]).toMatch(/^admin_users\s+1\s+shiny-demo, dash-demo, \(admin page\)\s+Every app/);
    expect(lines[4]).toMatch(/^shiny_users\s+2\s+shiny-demo\s+The Shiny example app$/);
    expect(res.stderr).toContain('group dash_users is in shinykit.yaml but not in the user pool');
    expect(res.stderr).toContain('group finance is in the user pool but not in shinykit.yaml, so it opens no app');
  });

  it('a missing outputs file is a usage error naming it (exit 2)', async () => {
    const res = await pool.cli(['--outputs', '/nonexistent/cdk-outputs.json', 'groups', 'list']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('/nonexistent/cdk-outputs.json');
  });
});
