/**
 * The published package, as a user gets it: `npm pack`, then `npm install --save-dev <tarball>` in an empty folder with its own
 * install, then the commands a newcomer runs there — all offline. npm resolves the
 * package's dependencies from the local cache (`--prefer-offline`), which `npm ci`
 * of this repository fills; it falls back to the registry only for what is missing.
 */
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const TIMEOUT = 600_000;
const env = {
  ...process.env,
  CI: '1',
  NO_COLOR: '1',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  // A user's project has no access to this checkout's tsx or sources: make sure nothing falls back to them.
  NODE_PATH: '',
};

describe('the npm package installed into an empty project', () => {
  let project: string;
  let tarball: string;

  beforeAll(async () => {
    // `npm pack` runs `prepack` (the build) before packing; `npm test` has just run that
    // same build, so the test packs the fresh dist/ without building it a second time.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prepack).toBe('npm run build');
    if (!existsSync(join(ROOT, 'dist', 'bin', 'shinykit.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const packDir = mkdtempSync(join(tmpdir(), 'shinykit-pack-'));
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, env });
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(packDir, info!.filename);
    const files = info!.files.map((f) => f.path);
    // Compiled JavaScript, the CDK entry, the assets; no TypeScript sources, tests or source maps.
    expect(files).toEqual(expect.arrayContaining(['bin/shinykit-cli.js', 'dist/cli/index.js', 'dist/bin/shinykit.js', 'assets/pricing/prices.json']));
    expect(files.filter((f) => /\.ts$|\.map$|^test\/|^cli\/|^lib\//.test(f))).toEqual([]);

    // Its own parent folder, so the sibling `../second-project` below is ours alone.
    project = join(mkdtempSync(join(tmpdir(), 'shinykit-user-')), 'project');
    mkdirSync(project);
    await execa('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, env });
  }, TIMEOUT);

  const npx = (args: string[]) => execa('npx', ['--no-install', ...args], { cwd: project, env, reject: false, timeout: 300_000 });

  it('installs with its own runtime dependencies: the pinned CDK CLI and cdk-nag come with it, tsx does not', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(Object.keys(pkg.devDependencies)).toEqual(['shinykit']);
    const installed = (name: string) => existsSync(join(project, 'node_modules', name, 'package.json'));
    expect(installed('aws-cdk')).toBe(true);
    expect(installed('cdk-nag')).toBe(true);
    expect(installed('tsx')).toBe(false);
    const ours = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const cdk = JSON.parse(readFileSync(join(project, 'node_modules', 'aws-cdk', 'package.json'), 'utf8')) as { version: string };
    expect(cdk.version).toBe(ours.dependencies['aws-cdk']);
  });

  it('init writes the project (config, apps, cdk.json running the installed package with node, .gitignore); validate, plan and cdk synth then work offline', async () => {
    const init = await npx(['shinykit', 'init', '--name', 'field-lab', '--email', 'ops@field-lab.org', '--yes']);
    expect(init.exitCode, init.stderr).toBe(0);
    expect(readdirSync(project).sort()).toEqual(expect.arrayContaining(['.gitignore', 'apps', 'cdk.json', 'shinykit.yaml']));
    expect(JSON.parse(readFileSync(join(project, 'cdk.json'), 'utf8'))).toEqual({
      app: 'node node_modules/shinykit/dist/bin/shinykit.js',
      outputsFile: 'cdk-outputs.json',
    });
    // Already installed here: the next steps go straight to the kit's commands.
    expect(init.stderr).not.toContain('npm install');
    expect(init.stderr).toContain('npx shinykit deploy');

    const validate = await npx(['shinykit', 'validate']);
    expect(validate.exitCode, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('shinykit.yaml is valid: project field-lab');

    const plan = await execa('npx', ['--no-install', 'shinykit', 'plan', '--json'], { cwd: join(project, 'apps'), env, reject: false });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(plan.stdout))).toContain('field-lab-host');

    const synth = await npx(['cdk', 'synth', '--quiet', '--no-notices']);
    expect(synth.exitCode, synth.stderr).toBe(0);
    for (const stack of ['field-lab-data', 'field-lab-host']) {
      const template = JSON.parse(readFileSync(join(project, 'cdk.out', `${stack}.template.json`), 'utf8')) as { Resources: object };
      expect(Object.keys(template.Resources).length).toBeGreaterThan(5);
    }
  }, TIMEOUT);

  it('init in another folder prints next steps that work from where the user is: cd there, install this same tarball', async () => {
    const res = await npx(['shinykit', 'init', '../second-project', '--name', 'second', '--email', 'ops@lab.org', '--yes']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stderr).toContain('cd ../second-project');
    const install = /npm install --save-dev (\S+)/.exec(res.stderr)?.[1];
    expect(install).toBeDefined();
    // The spec installs from the new folder: the tarball path, relative to it.
    const from = join(project, '..', 'second-project');
    expect(existsSync(join(from, install!.replace(/^file:/, '')))).toBe(true);
    writeFileSync(join(from, '.keep'), '');
  });
});
