/**
 * The bundled example apps (assets/examples/*), checked without a Docker engine:
 * - shiny-demo: real R (Debian's r-base-core + r-cran-shiny, installed by .ci/run) evaluates app.R;
 *   what a user sees and does in it is proved in a browser by test/e2e/shiny-example-browser.test.ts.
 * - dash-demo: Dash, Flask and Plotly are not packaged by Debian and PyPI is not reachable, so its
 *   logic runs under python3 in its own unittest suites (accounts, notes, and app.py's callbacks
 *   against recording stand-ins for the framework: test_app.py says how).
 * - Dockerfiles and .dockerignore files: assertions on their instructions, and the ignore files
 *   evaluated by the same library `shinykit push` uses.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ignore } from '@balena/dockerignore';
import { describe, expect, it } from 'vitest';
import { appPort, loadConfig } from '../../lib/config/index.js';

// The package is CommonJS with an ESM-unfriendly default export: load it the way cli/push does.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as () => Ignore;

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHINY = join(HERE, 'shiny-demo');
const DASH = join(HERE, 'dash-demo');

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
function instructions(file: string): Instruction[] {
  const joined = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Runs R code in `cwd`; fails with a MISSING line when R or shiny is not installed. */
function rscript(code: string, cwd: string): string {
  const r = spawnSync('Rscript', ['-e', code], { cwd, encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  if (r.error) throw new Error('MISSING: Rscript is not on PATH (apt packages r-base-core r-cran-shiny; bash .ci/run installs them)');
  if (r.status !== 0) throw new Error(`Rscript failed (is r-cran-shiny installed?):\n${r.stderr}`);
  return r.stdout;
}

function python(code: string, cwd: string): string {
  return execFileSync('python3', ['-c', code], { cwd, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
}

/** Common checks for both images: pinned base, non-root, deps before code, a storage directory, port. */
function checkDockerfile(dir: string, port: number, depsStep: RegExp) {
  const steps = instructions(join(dir, 'Dockerfile'));
  const from = steps.filter((s) => s.op === 'FROM');
  expect(from).toHaveLength(1);
  // Pinned: an explicit tag with a full version number, never "latest" or a bare name.
  expect(from[0]!.args).toMatch(/^[\w./-]+:\d+\.\d+\.\d+[\w.-]*$/);
  expect(from[0]!.args).not.toMatch(/:latest$/);

  const deps = steps.findIndex((s) => s.op === 'RUN' && depsStep.test(s.args));
  const codeCopy = steps.findIndex((s) => (s.op === 'COPY' || s.op === 'ADD') && /(^|\s)\.\s/.test(`${s.args} `));
  expect(deps, 'a dependency install step').toBeGreaterThan(-1);
  expect(codeCopy, 'a COPY of the app folder').toBeGreaterThan(-1);
  expect(deps, 'dependencies install before the code is copied').toBeLessThan(codeCopy);

  // apps[].storage mounts a new Docker volume at /home/app/data by default, and the volume takes the
  // owner of the image's directory: it must exist, owned by the app user, or the app cannot write.
  const storageDir = steps.findIndex((s) => s.op === 'RUN' && /install -d -o app -g app -m 0700 \/home\/app\/data\b/.test(s.args));
  expect(storageDir, 'a RUN that creates /home/app/data owned by the app user').toBeGreaterThan(-1);

  const users = steps.filter((s) => s.op === 'USER');
  expect(users.length).toBeGreaterThan(0);
  const finalUser = users.at(-1)!.args;
  expect(finalUser).not.toMatch(/^(root|0)(:|$)/);
  const cmd = steps.findIndex((s) => s.op === 'CMD' || s.op === 'ENTRYPOINT');
  expect(steps.findIndex((s) => s.op === 'USER')).toBeLessThan(cmd);
  expect(steps.filter((s) => s.op === 'EXPOSE').map((s) => s.args)).toEqual([String(port)]);
  return steps;
}

function ignores(dir: string) {
  return dockerignore().add(readFileSync(join(dir, '.dockerignore'), 'utf8'));
}

describe('example apps', () => {
  const cfg = loadConfig(join(ROOT, 'shinykit.yaml'));

  it('the bundled shinykit.yaml deploys exactly these two apps from these folders', () => {
    expect(cfg.apps.map((a) => [a.id, a.kind, a.context])).toEqual([
      ['shiny-demo', 'shiny', 'assets/examples/shiny-demo'],
      ['dash-demo', 'dash', 'assets/examples/dash-demo'],
    ]);
    expect(Object.keys(cfg.cognito.groups)).toEqual(['admin_users', 'shiny_users', 'dash_users']);
  });

  describe('shiny-demo (R)', () => {
    it('its Dockerfile pins rocker/r-ver, installs binary packages (shiny, digest) before the code, has /home/app/data for storage, runs as non-root on port 3838', () => {
      const steps = checkDockerfile(SHINY, appPort(cfg.apps[0]!), /install2\.r|install\.packages/);
      const install = steps.find((s) => s.op === 'RUN' && /install2\.r/.test(s.args))!.args;
      // Every package app.R loads or calls with pkg:: (jsonlite comes with shiny itself).
      expect(install).toMatch(/install2\.r .* shiny digest\b/);
      expect(steps[0]!.args).toMatch(/^rocker\/r-ver:/);
      // rocker's CRAN mirror serves binaries; nothing may force a source build.
      const all = steps.map((s) => s.args).join('\n');
      expect(all).not.toMatch(/type\s*=\s*["']source["']|R CMD INSTALL|devtools::|remotes::install_github/);
      const cmd = steps.find((s) => s.op === 'CMD')!.args;
      expect(cmd).toContain("shiny::runApp('/home/app/shiny', host = '0.0.0.0', port = 3838");
      expect(all).not.toMatch(/shiny-server/);
    });

    it('app.R evaluates under R to a Shiny app whose page has the inputs, the outputs and the note box, and warns when notes have no storage', () => {
      const code = [
        'Sys.unsetenv("SHINYKIT_STORAGE_DIR")',
        'app <- source("app.R")$value',
        'unset <- not_kept()',
        'Sys.setenv(SHINYKIT_STORAGE_DIR = "/srv/notes")',
        'html <- as.character(ui)',
        // Every element id on the page, in order.
        "ids <- regmatches(html, gregexpr('(?<= id=\")[A-Za-z_]+(?=\")', html, perl = TRUE))[[1]]",
        'cat(jsonlite::toJSON(list(class = class(app), ids = ids, unset = unset, set = not_kept(), dir = storage_dir()), auto_unbox = TRUE))',
      ].join('\n');
      const out = JSON.parse(rscript(code, SHINY)) as { class: string; ids: string[]; unset: string; set: string; dir: string };
      expect(out.class).toBe('shiny.appobj');
      expect(out.unset).toBe(' Not kept when this container stops: the app has no storage (SHINYKIT_STORAGE_DIR is not set).');
      expect(out.set).toBe('');
      expect(out.dir).toBe('/srv/notes');
      expect(out.ids).toEqual(['dist', 'n', 'bins', 'density', 'seed', 'histogram', 'summary', 'who', 'accounts', 'note', 'save_note', 'note_status']);
    });

    it('.dockerignore ships the app code but not git or R session files', () => {
      const ig = ignores(SHINY);
      expect(ig.ignores('app.R')).toBe(false);
      expect(ig.ignores('data/input.csv')).toBe(false);
      expect(ig.ignores('.Rhistory')).toBe(true);
      expect(ig.ignores('sub/.Rhistory')).toBe(true);
      expect(ig.ignores('.git/config')).toBe(true);
    });
  });

  describe('dash-demo (Python)', () => {
    it('app.py, accounts.py, notes.py and prefix.py compile with python3', () => {
      const out = mkdtempSync(join(tmpdir(), 'shinykit-pyc-'));
      const code = [
        'import py_compile, sys',
        `for i, f in enumerate(["app.py", "accounts.py", "notes.py", "prefix.py"]): py_compile.compile(f, cfile=${JSON.stringify(out)} + "/%d.pyc" % i, doraise=True)`,
        'print("compiled")',
      ].join('\n');
      expect(python(code, DASH).trim()).toBe('compiled');
    });

    it('prefix.py turns SHINYPROXY_PUBLIC_PATH into Dash\'s path prefixes, with one leading and one trailing slash', () => {
      const cases: Array<[string | null, string]> = [
        [null, '/'],
        ['', '/'],
        ['/', '/'],
        ['/app_proxy/3f2c9a/', '/app_proxy/3f2c9a/'],
        ['/app_proxy/3f2c9a', '/app_proxy/3f2c9a/'],
        ['app_proxy/3f2c9a', '/app_proxy/3f2c9a/'],
        ['  //app_proxy//3f2c9a//  ', '/app_proxy/3f2c9a/'],
      ];
      const code = [
        'import json, sys',
        'from prefix import pathname_prefix, dash_prefix_kwargs',
        `cases = json.loads(${JSON.stringify(JSON.stringify(cases.map(([v]) => v)))})`,
        'out = [pathname_prefix({} if v is None else {"SHINYPROXY_PUBLIC_PATH": v}) for v in cases]',
        'out.append(dash_prefix_kwargs({"SHINYPROXY_PUBLIC_PATH": "/app_proxy/x/"}))',
        'print(json.dumps(out))',
      ].join('\n');
      const out = JSON.parse(python(code, DASH)) as unknown[];
      expect(out.slice(0, cases.length)).toEqual(cases.map(([, want]) => want));
      expect(out.at(-1)).toEqual({ requests_pathname_prefix: '/app_proxy/x/', routes_pathname_prefix: '/app_proxy/x/' });
    });

    it('prefix.py reads SHINYPROXY_PUBLIC_PATH from the process environment when given no mapping', () => {
      const out = execFileSync('python3', ['-c', 'from prefix import pathname_prefix; print(pathname_prefix())'], {
        cwd: DASH,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', SHINYPROXY_PUBLIC_PATH: '/app_proxy/abc' },
      });
      expect(out.trim()).toBe('/app_proxy/abc/');
    });

    it('passes its python3 suites for notes.py (setting, signed notes, per-user storage) and app.py\'s callbacks against framework stand-ins', () => {
      const r = spawnSync('python3', ['-m', 'unittest', '-v', 'test_notes', 'test_app'], {
        cwd: DASH,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      // unittest reports on stderr.
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^Ran 1[0-9] tests in/m);
      for (const name of [
        'test_builds_dash_under_the_public_path_and_exposes_server_for_gunicorn',
        'test_every_callback_reads_and_writes_components_that_exist_in_the_layout',
        'test_a_saved_note_comes_back_for_its_user_only',
        'test_signature_is_hmac_sha256_of_user_and_note_under_the_secret',
        'test_a_different_key_refuses_the_note',
      ]) {
        expect(r.stderr).toMatch(new RegExp(`^${name} .* \\.\\.\\. ok$`, 'm'));
      }
      expect(r.stderr.trim()).toMatch(/OK$/);
    });

    it('its Dockerfile pins slim Python, installs pinned requirements before the code, has /home/app/data for storage, runs gunicorn as non-root on 8050', () => {
      const steps = checkDockerfile(DASH, appPort(cfg.apps[1]!), /pip install .*-r requirements\.txt/);
      expect(steps[0]!.args).toMatch(/^python:\d+\.\d+\.\d+-slim/);
      const reqCopy = steps.findIndex((s) => s.op === 'COPY' && /^requirements\.txt\s/.test(s.args));
      const pip = steps.findIndex((s) => s.op === 'RUN' && /pip install/.test(s.args));
      expect(reqCopy).toBeGreaterThan(-1);
      expect(reqCopy).toBeLessThan(pip);
      const cmd = JSON.parse(steps.find((s) => s.op === 'CMD')!.args) as string[];
      expect(cmd[0]).toBe('gunicorn');
      expect(cmd).toContain('0.0.0.0:8050');
      expect(cmd.at(-1)).toBe('app:server');

      const reqs = readFileSync(join(DASH, 'requirements.txt'), 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean);
      expect(reqs.map((r) => r.split('==')[0])).toEqual(expect.arrayContaining(['dash', 'gunicorn']));
      for (const r of reqs) expect(r).toMatch(/^[A-Za-z0-9._-]+==\d+(\.\d+)+$/);
    });

    it('.dockerignore ships the code but not caches or virtualenvs', () => {
      const ig = ignores(DASH);
      expect(ig.ignores('app.py')).toBe(false);
      expect(ig.ignores('prefix.py')).toBe(false);
      expect(ig.ignores('notes.py')).toBe(false);
      expect(ig.ignores('test_notes.py')).toBe(true);
      expect(ig.ignores('test_app.py')).toBe(true);
      expect(ig.ignores('requirements.txt')).toBe(false);
      expect(ig.ignores('__pycache__/app.cpython-312.pyc')).toBe(true);
      expect(ig.ignores('pkg/__pycache__/x.pyc')).toBe(true);
      expect(ig.ignores('.venv/bin/python')).toBe(true);
    });
  });
});
