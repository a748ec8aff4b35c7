/**
 * The group-aware example apps: the Dash app's row-level filter (accounts.py)
 * runs for real under python3 with its unittest suite (no dash needed), and
 * both apps read the user from SHINYPROXY_USERNAME / SHINYPROXY_USERGROUPS with
 * the X-SP-* request headers as fallback. R is not part of CI, so the Shiny
 * app's tests are checks on its source, and say so in their names.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ignore } from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';

const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;
const EXAMPLES = fileURLToPath(new URL('../../assets/examples/', import.meta.url));
const DASH = join(EXAMPLES, 'dash-demo');
const SHINY = join(EXAMPLES, 'shiny-demo');
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

  it('app.py compiles, and its source renders the accounts through visible_accounts for the request\'s user', () => {
    const out = mkdtempSync(join(tmpdir(), 'shinykit-pyc-'));
    execFileSync('python3', ['-c', `import py_compile; py_compile.compile("app.py", cfile="${out}/a.pyc", doraise=True); py_compile.compile("accounts.py", cfile="${out}/b.pyc", doraise=True)`], { cwd: DASH, env });
    const src = readFileSync(join(DASH, 'app.py'), 'utf8');
    expect(src).toMatch(/^from accounts import .*current_user.*visible_accounts/m);
    expect(src).toMatch(/current_user\(headers=request\.headers\)/);
    expect(src).toMatch(/@app\.callback\(Output\("accounts", "children"\)/);
  });

  it('ships accounts.py in the image but not its tests', () => {
    const ig = dockerignore().add(readFileSync(join(DASH, '.dockerignore'), 'utf8'));
    expect(ig.ignores('accounts.py')).toBe(false);
    expect(ig.ignores('test_accounts.py')).toBe(true);
  });
});

describe('shiny-demo: row-level authorisation', () => {
  const src = readFileSync(join(SHINY, 'app.R'), 'utf8');

  it('its source reads the user from the environment, falling back to the X-SP headers', () => {
    expect(src).toMatch(/Sys\.getenv\("SHINYPROXY_USERNAME"\)/);
    expect(src).toMatch(/Sys\.getenv\("SHINYPROXY_USERGROUPS"\)/);
    expect(src).toMatch(/req\$HTTP_X_SP_USERID/);
    expect(src).toMatch(/req\$HTTP_X_SP_USERGROUPS/);
    // Groups compared lower-cased: ShinyProxy may upper-case them.
    expect(src).toMatch(/parse_groups <- function\(value\) \{\n\s+groups <- tolower\(trimws\(/);
  });

  it('its source returns all rows to admins, own rows to others, none to an unknown user', () => {
    expect(src).toMatch(/if \(any\(user\$groups %in% admin_groups\(\)\)\) return\(data\)/);
    expect(src).toMatch(/if \(!nzchar\(user\$name\)\) return\(data\[0, \]\)/);
    expect(src).toMatch(/data\[tolower\(data\$owner\) == user\$name, \]/);
    expect(src).toMatch(/output\$accounts <- renderTable\(visible_accounts\(user\)/);
  });
});
