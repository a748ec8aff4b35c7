/**
 * CLI conventions, proven on the built CLI; where a terminal matters, on a real
 * pseudo-terminal (util-linux `script`), with the shell redirecting one stream
 * to a file the way a user would (`shinykit validate 2> log`).
 */
import { execa } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from '../support/cli.js';
import { startMoto, type Moto } from '../support/moto.js';

const ESC = '\u001b[';
const dir = mkdtempSync(join(tmpdir(), 'shinykit-conventions-'));
const BAD = join(dir, 'bad.yaml');
writeFileSync(BAD, 'name: BAD\n');

/** Runs a shell command line on a terminal; returns everything the terminal showed. */
async function onTerminal(commandLine: string, env: Record<string, string> = {}): Promise<{ screen: string; exitCode: number }> {
  const res = await execa('script', ['-qec', commandLine, '/dev/null'], {
    cwd: ROOT,
    env: { CI: '', NO_COLOR: '', SHELL: '/bin/sh', ...env },
    reject: false,
    timeout: 120_000,
  });
  return { screen: String(res.stdout), exitCode: res.exitCode ?? -1 };
}
const shinykit = (args: string) => `node '${CLI}' ${args}`;

describe('colour follows the stream it is written to', () => {
  it('errors are red on a terminal', async () => {
    const res = await onTerminal(shinykit(`--config '${BAD}' validate`));
    expect(res.exitCode).toBe(2);
    expect(res.screen).toContain(`${ESC}31merror:${ESC}0m`);
  });

  it('stderr redirected to a file gets plain text, even with a terminal on stdout', async () => {
    const log = join(dir, 'validate.log');
    const res = await onTerminal(`${shinykit(`--config '${BAD}' validate`)} 2> '${log}'`);
    expect(res.exitCode).toBe(2);
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('error:');
    expect(text).not.toContain(ESC);
  });

  it('NO_COLOR and --no-color turn colour off on a terminal', async () => {
    expect((await onTerminal(shinykit(`--config '${BAD}' validate`), { NO_COLOR: '1' })).screen).not.toContain(ESC);
    expect((await onTerminal(shinykit(`--no-color --config '${BAD}' validate`))).screen).not.toContain(ESC);
  });
});

describe('global flags', () => {
  it('-v and --version print the package version', async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect((await runCli(['-v'])).stdout.trim()).toBe(version);
    expect((await runCli(['--version'])).stdout.trim()).toBe(version);
  });

  it('--quiet leaves out notes: init says nothing, yet writes everything', async () => {
    const quiet = await runCli(['init', join(dir, 'quiet'), '--name', 'lab', '--email', 'ops@lab.org', '--yes', '--quiet']);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(readFileSync(join(dir, 'quiet', 'shinykit.yaml'), 'utf8')).toContain('name: lab');
    const loud = await runCli(['init', join(dir, 'loud'), '--name', 'lab', '--email', 'ops@lab.org', '--yes']);
    expect(loud.stderr).toContain('created');
  });

  it("a subcommand's help lists the global options it inherits", async () => {
    for (const args of [['plan', '--help'], ['users', 'add', '--help']]) {
      const res = await runCli(args);
      expect(res.exitCode).toBe(0);
      expect(res.stdout).toContain('Global Options:');
      expect(res.stdout).toMatch(/--config <file>/);
      expect(res.stdout).toMatch(/--no-color/);
    }
  });
});

describe('shinykit completion', () => {
  it('bash: the script completes commands, subcommands and options in a real bash', async () => {
    const script = join(dir, 'completion.bash');
    writeFileSync(script, (await runCli(['completion', 'bash'])).stdout);
    const complete = async (...words: string[]) =>
      String(
        (
          await execa('bash', [
            '-c',
            `source '${script}'; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _shinykit_complete; echo "\${COMPREPLY[*]}"`,
          ])
        ).stdout,
      ).trim();
    expect(await complete('shinykit', 'us')).toBe('users');
    expect(await complete('shinykit', 'users', 're')).toBe('reset remove');
    expect(await complete('shinykit', '--config', 'x.yaml', 'plan', '--st')).toBe('--strict');
    expect((await complete('shinykit', 'plan', '--')).split(' ')).toEqual(expect.arrayContaining(['--preview', '--json', '--config', '--quiet']));
  });

  it('zsh and fish scripts name every command; an unknown shell is a usage error', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toContain('bashcompinit');
    const fish = await runCli(['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c shinykit -f -n '__fish_use_subcommand' -a completion");
    expect(fish.stdout).toContain("-n '__fish_seen_subcommand_from users; and __fish_seen_subcommand_from add' -s g -l group -r -f");
    expect((await runCli(['completion', 'tcsh'])).exitCode).toBe(2);
  });
});

describe('AWS-setup errors in the user\'s terms', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => moto?.stop());

  it('no outputs file and no deployed stack: "deploy first"', async () => {
    const res = await runCli(['--outputs', join(dir, 'none.json'), 'users', 'list'], { env: moto.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`error: nothing is deployed yet: there is no ${join(dir, 'none.json')} and no stack analytics-data in eu-west-1`);
    expect(res.stderr).toContain('hint: deploy first: `shinykit deploy`');
  });

  it('an unknown --profile is named before any AWS call', async () => {
    const res = await runCli(['--profile', 'nope', '--outputs', join(dir, 'none.json'), 'users', 'list'], { env: moto.env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('error: the AWS profile "nope" does not exist');
    expect(res.stderr).toContain('aws configure --profile nope');
  });
});
