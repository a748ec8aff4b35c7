/**
 * The group-aware Dash example: its row-level filter (accounts.py) runs for real
 * under python3 with its unittest suite (no dash needed); app.py's callbacks are
 * run against framework stand-ins by assets/examples/examples.test.ts (test_app.py).
 * The Shiny example's row-level filter is proved in a browser, per identity, by
 * test/e2e/shiny-example-browser.test.ts (real R and Chromium).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ignore } from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';

const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;
const EXAMPLES = fileURLToPath(new URL('../../assets/examples/', import.meta.url));
const DASH = join(EXAMPLES, 'dash-demo');
const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

describe('dash-demo: row-level authorisation', () => {
  it('passes its python3 unittest suite (admins see all, reps see their own, unknown users nothing)', () => {
    const r = spawnSync('python3', ['-m', 'unittest', '-v', 'test_accounts'], { cwd: DASH, env, encoding: 'utf8' });
    // unittest reports on stderr.
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Ran 1\d tests in/m);
    expect(r.stderr).toMatch(/test_sales_rep_sees_only_their_accounts .* ok/);
    expect(r.stderr.trim()).toMatch(/OK$/);
  });

  it('filters the same way when called from another process with a real environment', () => {
    const code = 'from accounts import current_user, visible_accounts; u, g = current_user(); print(",".join(a["account"] for a in visible_accounts(u, g)))';
    const run = (extra: Record<string, string>) =>
      execFileSync('python3', ['-c', code], { cwd: DASH, env: { ...env, SHINYPROXY_USERNAME: '', SHINYPROXY_USERGROUPS: '', ...extra }, encoding: 'utf8' }).trim();
    expect(run({ SHINYPROXY_USERNAME: 'bo@example.org', SHINYPROXY_USERGROUPS: 'DASH_USERS' })).toBe('Initech,Umbrella');
    expect(run({ SHINYPROXY_USERNAME: 'cy@example.org', SHINYPROXY_USERGROUPS: 'ADMIN_USERS,DASH_USERS' })).toBe('Acme Corp,Globex,Initech,Umbrella,Hooli');
    expect(run({})).toBe('');
  });

  it('ships accounts.py in the image but not its tests', () => {
    const ig = dockerignore().add(readFileSync(join(DASH, '.dockerignore'), 'utf8'));
    expect(ig.ignores('accounts.py')).toBe(false);
    expect(ig.ignores('test_accounts.py')).toBe(true);
  });
});
