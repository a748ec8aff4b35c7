import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.js';
import { runCli } from '../support/cli.js';
import { runCliOnTty, type TtyRun } from '../support/tty.js';

/** `shinykit init` on a real terminal (test/support/tty.ts), answering each prompt as it appears. */
function initOnTty(cwd: string, args: string[], answers: Array<[RegExp, string]>): Promise<TtyRun> {
  return runCliOnTty(['init', ...args], { cwd, answers, timeoutMs: 60_000 });
}

const tmp = () => mkdtempSync(join(tmpdir(), 'shinykit-init-'));
const FLAGS = ['--name', 'field-lab', '--email', 'ops@field-lab.org', '--yes'];

function tree(dir: string, sub = ''): string[] {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tree(dir, join(sub, e.name)) : [join(sub, e.name)],
  ).sort();
}

describe('shinykit init (built CLI)', () => {
  it('scaffolds a config that loadConfig accepts, both example apps and .gitignore entries', async () => {
    const dir = join(tmp(), 'proj');
    const res = await runCli(['init', dir, ...FLAGS, '--domain', 'apps.field-lab.org']);
    expect(res.stderr).toContain('Next steps');
    expect(res.exitCode).toBe(0);

    const cfg = loadConfig(join(dir, 'shinykit.yaml'));
    expect(cfg.name).toBe('field-lab');
    expect(cfg.domain).toBe('apps.field-lab.org');
    expect(cfg.tls.email).toBe('ops@field-lab.org');
    expect(cfg.apps.map((a) => a.context)).toEqual(['apps/shiny-demo', 'apps/dash-demo']);
    for (const app of cfg.apps) expect(existsSync(join(dir, app.context, 'Dockerfile'))).toBe(true);
    // The copied apps are byte-identical to the bundled ones.
    for (const f of ['app.R', 'Dockerfile', '.dockerignore']) {
      expect(readFileSync(join(dir, 'apps/shiny-demo', f), 'utf8')).toBe(readFileSync(join('assets/examples/shiny-demo', f), 'utf8'));
    }
    const bundled = (app: string) => tree(join('assets/examples', app)).filter((f) => !f.includes('__pycache__'));
    expect(tree(join(dir, 'apps/dash-demo'))).toEqual(bundled('dash-demo'));
    expect(tree(join(dir, 'apps/shiny-demo'))).toEqual(bundled('shiny-demo'));
    expect(bundled('dash-demo')).toEqual(expect.arrayContaining(['Dockerfile', 'app.py', 'prefix.py', 'requirements.txt']));

    const text = readFileSync(join(dir, 'shinykit.yaml'), 'utf8');
    expect(text.split('\n').filter((l) => l.includes('#')).length).toBeGreaterThan(10); // commented
    expect(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['cdk.out/', 'cdk-outputs.json', '.shinykit/']));
    // All of init's words on one stream (stderr, with its prompts); stdout stays empty.
    expect(res.stderr).toContain('created');
    expect(res.stdout).toBe('');

    // And the kit's own validate agrees.
    const v = await runCli(['--config', join(dir, 'shinykit.yaml'), 'validate']);
    expect(v.exitCode).toBe(0);
  });

  it('without --domain the config leaves domain unset (sslip.io site)', async () => {
    const dir = tmp();
    const res = await runCli(['init', dir, ...FLAGS]);
    expect(res.exitCode).toBe(0);
    expect(loadConfig(join(dir, 'shinykit.yaml')).domain).toBeUndefined();
  });

  it('refuses to overwrite existing files, lists them, exits 2 and writes nothing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'shinykit.yaml'), 'mine\n');
    mkdirSync(join(dir, 'apps/dash-demo'), { recursive: true });
    writeFileSync(join(dir, 'apps/dash-demo/app.py'), 'print("mine")\n');
    const res = await runCli(['init', dir, ...FLAGS]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/would overwrite 2 existing file\(s\).*nothing was written/);
    expect(res.stderr).toContain('  shinykit.yaml');
    expect(res.stderr).toContain('  apps/dash-demo/app.py');
    expect(res.stderr).toContain('--force');
    expect(readFileSync(join(dir, 'shinykit.yaml'), 'utf8')).toBe('mine\n');
    expect(tree(dir)).toEqual(['apps/dash-demo/app.py', 'shinykit.yaml']); // no .gitignore, no other app, no temp files
  });

  it('--force overwrites and reports what it replaced', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'shinykit.yaml'), 'mine\n');
    const res = await runCli(['init', dir, ...FLAGS, '--force']);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toMatch(/overwritten\s+.*shinykit\.yaml/);
    expect(loadConfig(join(dir, 'shinykit.yaml')).name).toBe('field-lab');
  });

  it('appends missing .gitignore entries without clobbering the file, and only once', async () => {
    const dir = tmp();
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\ncdk.out\n*.log'); // no trailing newline; cdk.out already there
    const first = await runCli(['init', dir, ...FLAGS]);
    expect(first.exitCode).toBe(0);
    const text = readFileSync(join(dir, '.gitignore'), 'utf8');
    expect(text.startsWith('node_modules/\ncdk.out\n*.log\n')).toBe(true);
    expect(text).toContain('cdk-outputs.json\n.shinykit/\n');
    expect(text).not.toContain('cdk.out/');
    const again = await runCli(['init', dir, ...FLAGS, '--force']);
    expect(again.exitCode).toBe(0);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe(text);
  });

  it('bad flag values are usage errors naming the flag, and nothing is written', async () => {
    const dir = tmp();
    const res = await runCli(['init', dir, '--name', 'Bad_Name', '--email', 'not-an-email', '--yes']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/--name: expected a project name/);
    expect(res.stderr).toMatch(/--email: expected an email address/);
    expect(tree(dir)).toEqual([]);
  });

  it('does not prompt without a TTY: a missing --email is a usage error, not a hang', async () => {
    const dir = tmp();
    const res = await runCli(['init', dir, '--name', 'lab'], { input: '' });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('--email: an email address is required');
    expect(tree(dir)).toEqual([]);
  });

  it('on a terminal it asks for what the flags did not give, offering defaults', async () => {
    const dir = tmp();
    const res = await initOnTty(dir, ['proj', '--domain', 'apps.lab.org'], [
      [/Project name \[proj\]: /, 'my-lab'],
      [/Contact email for the Let's Encrypt \(ACME\) account: /, 'me@lab.org'],
    ]);
    expect(res.code, res.screen).toBe(0);
    expect(res.screen).not.toContain('Domain for the site'); // given by --domain
    const cfg = loadConfig(join(dir, 'proj', 'shinykit.yaml'));
    expect([cfg.name, cfg.domain, cfg.tls.email]).toEqual(['my-lab', 'apps.lab.org', 'me@lab.org']);
  });

  it('on a terminal a bad answer is refused as it is typed, with the reason, and asked again', async () => {
    const dir = tmp();
    const res = await initOnTty(dir, ['proj'], [
      [/Project name \[proj\]: /, 'My Lab!'],
      [/Project name \[proj\]: /, 'my-lab'],
      [/Domain for the site/, 'not a domain'],
      [/Domain for the site/, ''],
      [/Contact email for the Let's Encrypt \(ACME\) account: /, 'nobody'],
      [/Contact email for the Let's Encrypt \(ACME\) account: /, 'me@lab.org'],
    ]);
    expect(res.code, res.screen).toBe(0);
    expect(res.screen).toContain('"My Lab!": expected a project name (lowercase letters, digits and hyphens');
    expect(res.screen).toContain('"not a domain": expected a lowercase DNS name such as apps.example.org');
    expect(res.screen).toContain('"nobody": expected an email address');
    const cfg = loadConfig(join(dir, 'proj', 'shinykit.yaml'));
    expect([cfg.name, cfg.domain, cfg.tls.email]).toEqual(['my-lab', undefined, 'me@lab.org']);
  });

  it('Ctrl-C at a prompt exits 130, writes nothing and gives no --debug hint', async () => {
    const dir = tmp();
    const res = await initOnTty(dir, ['proj'], [[/Project name \[proj\]: /, '\u0003']]);
    expect(res.code, res.screen).toBe(130);
    expect(res.screen).not.toContain('--debug');
    expect(res.screen).not.toContain('error');
    expect(existsSync(join(dir, 'proj', 'shinykit.yaml'))).toBe(false);
  });

  it('--yes on a terminal asks nothing', async () => {
    const dir = tmp();
    const res = await initOnTty(dir, ['proj', '--email', 'me@lab.org', '--yes'], []);
    expect(res.code).toBe(0);
    expect(res.screen).not.toMatch(/Project name|Domain for the site|Email for/);
    expect(loadConfig(join(dir, 'proj', 'shinykit.yaml')).name).toBe('proj');
  });

  it('derives the project name from the directory when --name is not given', async () => {
    const dir = join(tmp(), 'My Lab_2');
    const res = await runCli(['init', dir, '--email', 'ops@lab.org']);
    expect(res.exitCode).toBe(0);
    expect(loadConfig(join(dir, 'shinykit.yaml')).name).toBe('my-lab-2');
  });
});
