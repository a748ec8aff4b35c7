/**
 * `shinykit secrets set` and `secrets list` end to end: the built CLI as a child process
 * against a real moto_server (Parameter Store and Secrets Manager). The value arrives on
 * stdin or at a prompt with echo off on a real pseudo-terminal, and never comes back out.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, ListTagsForResourceCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { runCliOnTty } from '../support/tty.js';

const PARAM = '/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD';
const VALUE = 'correct horse battery staple';
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: Moto;
let ssm: SSMClient;
let sm: SecretsManagerClient;

/** A project folder with the bundled config, edited by `edit`, and the example app contexts it names. */
function project(edit: (raw: any) => void = () => {}): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-secrets-'));
  const raw = parse(readFileSync(join(ROOT, 'shinykit.yaml'), 'utf8'));
  for (const app of raw.apps) app.context = join(ROOT, app.context);
  raw.region = TEST_REGION;
  edit(raw);
  const config = join(dir, 'shinykit.yaml');
  writeFileSync(config, stringify(raw));
  return { dir, config };
}
const cli = (p: { dir: string; config: string }, args: string[], input?: string) =>
  runCli(['--config', p.config, ...args], { cwd: p.dir, env: moto.env, input });

beforeAll(async () => {
  moto = await startMoto();
  ssm = new SSMClient({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
  sm = new SecretsManagerClient({ endpoint: moto.url, region: TEST_REGION, credentials: creds });
}, 90_000);
afterAll(async () => moto?.stop());
beforeEach(async () => moto.reset());

describe('shinykit secrets set', () => {
  it('stores the value from stdin as a tagged SecureString at the kit path, never echoes it, and prints the config line to add', async () => {
    const p = project();
    const res = await cli(p, ['secrets', 'set', 'shiny-demo', 'DB_PASSWORD'], `${VALUE}\n`);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toContain(`stored DB_PASSWORD of shiny-demo in Parameter Store: ${PARAM} (version 1`);
    expect(res.stdout).toContain(`DB_PASSWORD: ssm:${PARAM}`);
    expect(res.stdout + res.stderr).not.toContain(VALUE);
    const stored = await ssm.send(new GetParameterCommand({ Name: PARAM, WithDecryption: true }));
    expect(stored.Parameter).toMatchObject({ Type: 'SecureString', Value: VALUE }); // the one trailing newline is not part of it
    const tags = await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: PARAM }));
    expect(tags.TagList).toEqual(expect.arrayContaining([{ Key: 'shinykit:project', Value: 'analytics' }, { Key: 'shinykit:app', Value: 'shiny-demo' }]));
  });

  it('overwrites an existing value (a new version) and, when the config references it, says how it reaches the apps', async () => {
    const p = project((raw) => (raw.apps[0].secrets = { DB_PASSWORD: `ssm:${PARAM}` }));
    expect((await cli(p, ['secrets', 'set', 'shiny-demo', 'DB_PASSWORD'], 'first')).exitCode).toBe(0);
    const res = await cli(p, ['secrets', 'set', 'shiny-demo', 'DB_PASSWORD', '--json'], 'second');
    expect(res.exitCode).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ app: 'shiny-demo', name: 'DB_PASSWORD', parameter: PARAM, version: 2, created: false, referenced: 'yes', reference: `ssm:${PARAM}` });
    expect((await ssm.send(new GetParameterCommand({ Name: PARAM, WithDecryption: true }))).Parameter!.Value).toBe('second');
    const text = await cli(p, ['secrets', 'set', 'shiny-demo', 'DB_PASSWORD'], 'third');
    expect(text.stdout).toContain('next: `shinykit apply` puts it on the host');
  });

  it('asks with echo off on a terminal: the typed value is stored and never shown', async () => {
    const p = project();
    const run = await runCliOnTty(['--config', p.config, 'secrets', 'set', 'shiny-demo', 'API_TOKEN'], {
      cwd: p.dir,
      env: moto.env,
      answers: [[/Value of API_TOKEN for shiny-demo \(not shown\): /, 'typed-on-a-tty-123']],
    });
    expect(run.code).toBe(0);
    expect(run.screen).not.toContain('typed-on-a-tty-123');
    const stored = await ssm.send(new GetParameterCommand({ Name: '/shinykit-secrets/analytics/shiny-demo/API_TOKEN', WithDecryption: true }));
    expect(stored.Parameter!.Value).toBe('typed-on-a-tty-123');
  });

  it.each([
    [['secrets', 'set', 'nope', 'X'], 'v', 'shinykit.yaml has no app "nope"'],
    [['secrets', 'set', 'shiny-demo', '1BAD'], 'v', '"1BAD" is not an environment variable name'],
    [['secrets', 'set', 'shiny-demo', 'DB_PASSWORD'], '', 'no value was given'],
    [['secrets', 'set', 'shiny-demo', 'DB_PASSWORD'], 'x'.repeat(5000), 'holds at most 4096'],
  ])('refuses %j with exit 2 and stores nothing', async (args, input, message) => {
    const p = project();
    const res = await cli(p, args, input);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(message);
    await expect(ssm.send(new GetParameterCommand({ Name: PARAM }))).rejects.toThrow();
  });
});

describe('shinykit secrets list', () => {
  it('lists the config\'s references and kit-owned parameters with where they live and when they changed, never a value', async () => {
    const secret = await sm.send(new CreateSecretCommand({ Name: 'prod/api-key', SecretString: 'sm-value-never-listed' }));
    const p = project((raw) => {
      raw.apps[0].secrets = {
        DB_PASSWORD: `ssm:${PARAM}`,
        API_KEY: secret.ARN,
        GONE: 'secretsmanager:prod/gone',
        ELSEWHERE: 'ssm:/team/shared/token',
      };
    });
    await ssm.send(new PutParameterCommand({ Name: PARAM, Type: 'SecureString', Value: VALUE }));
    await ssm.send(new PutParameterCommand({ Name: '/team/shared/token', Type: 'SecureString', Value: 'team-value' }));
    await ssm.send(new PutParameterCommand({ Name: '/shinykit-secrets/analytics/shiny-demo/UNUSED', Type: 'SecureString', Value: 'unused-value' }));
    // Another app's parameter is not this app's.
    await ssm.send(new PutParameterCommand({ Name: '/shinykit-secrets/analytics/dash-demo/OTHER', Type: 'SecureString', Value: 'other-value' }));

    const res = await cli(p, ['secrets', 'list', 'shiny-demo', '--json']);
    expect(res.exitCode).toBe(0);
    const list = JSON.parse(res.stdout) as any[];
    expect(list.map(({ lastChanged, ...rest }) => rest)).toEqual([
      { name: 'DB_PASSWORD', service: 'ssm', reference: `ssm:${PARAM}`, inConfig: true, exists: true },
      { name: 'API_KEY', service: 'secretsmanager', reference: secret.ARN, inConfig: true, exists: true },
      { name: 'GONE', service: 'secretsmanager', reference: 'secretsmanager:prod/gone', inConfig: true, exists: false },
      { name: 'ELSEWHERE', service: 'ssm', reference: 'ssm:/team/shared/token', inConfig: true, exists: true },
      { name: 'UNUSED', service: 'ssm', reference: 'ssm:/shinykit-secrets/analytics/shiny-demo/UNUSED', inConfig: false, exists: true },
    ]);
    for (const s of list.filter((x) => x.exists)) expect(Number.isNaN(Date.parse(s.lastChanged))).toBe(false);

    const table = await cli(p, ['secrets', 'list', 'shiny-demo']);
    expect(table.exitCode).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+WHERE\s+IN CONFIG\s+LAST CHANGED$/);
    expect(table.stdout).toMatch(/GONE\s+secretsmanager:prod\/gone\s+yes\s+MISSING/);
    expect(table.stderr).toContain('UNUSED is stored but not named in shinykit.yaml');
    for (const v of [VALUE, 'sm-value-never-listed', 'team-value', 'unused-value', 'other-value']) {
      expect(res.stdout + res.stderr + table.stdout + table.stderr).not.toContain(v);
    }
  });
});

describe('shinykit validate and apps[].env', () => {
  it('refuses a secret typed into env (exit 2), names the fix, and does not echo the value', async () => {
    const p = project((raw) => (raw.apps[0].env = { CURRENCY: 'EUR', DB_PASSWORD: 'hunter2-literal' }));
    const res = await cli(p, ['validate']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('apps[0].env.DB_PASSWORD: looks like a secret');
    expect(res.stderr).toContain('shinykit secrets set shiny-demo DB_PASSWORD');
    expect(res.stdout + res.stderr).not.toContain('hunter2-literal');
  });
});
