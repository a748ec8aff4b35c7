/**
 * apps[].env and apps[].secrets: what validate accepts and refuses, and what render puts in
 * application.yml for each backend (references only; the values never pass through it).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig, parseSecretRef, secretEnvReason, type Config } from '../../lib/config/index.js';
import { ExtraOutputKeys, ecsTaskRoleOutputKey } from '../../lib/outputs.js';
import { renderConfigs } from '../../lib/render/index.js';
import { problemsOf } from '../support/config.js';
import { fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

const BASE = [
  'name: analytics',
  'tls: { email: ops@example.org }',
  'cognito: { groups: { shiny_users: {} } }',
  'apps:',
  '  - id: shiny-demo',
  '    context: .',
  '    groups: [shiny_users]',
].join('\n');
const withApp = (extra: string, top = '') => `${top}${BASE}\n${extra.trim().split('\n').map((l) => `    ${l}`).join('\n')}\n`;
const messages = (text: string) => problemsOf(text).map((p) => `${p.path}: ${p.message}`);

describe('apps[].env: plain settings, and secret-looking values refused', () => {
  it('accepts plain settings, including keys that only mention a secret\'s location or size', () => {
    const cfg = parseConfig(withApp(`env:\n  DB_HOST: db.internal\n  DB_PASSWORD_FILE: /run/secrets/db\n  TOKEN_URL: https://auth.example.org/token\n  PASSWORD_MIN_LENGTH: "12"\n  TOKENIZER: words\n  BYPASS_CACHE: "true"`));
    expect(cfg.apps[0]!.env).toMatchObject({ DB_HOST: 'db.internal', TOKENIZER: 'words' });
  });

  it.each([
    ['DB_PASSWORD', 'hunter2', 'its name says it holds a secret'],
    ['apiKey', 'abc123', 'its name says it holds a secret'],
    ['GITHUB_TOKEN', 'whatever', 'its name says it holds a secret'],
    ['DATABASE_URL', 'postgres://ana:s3cret@db.internal:5432/app', 'a URL with a password'],
    ['TLS_KEY', '-----BEGIN PRIVATE KEY-----\nMIIB...', 'a PEM block'],
    ['SOME_VALUE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS secret access key'],
    ['AWS_ID', 'AKIAIOSFODNN7EXAMPLE', 'AWS access key id'],
    ['OPENAI', 'sk-abcdefghijklmnopqrstuvwx', 'API token'],
  ])('refuses %s with a secret-looking literal value and points at apps[].secrets', (key, value, why) => {
    const out = messages(withApp(`env:\n  ${key}: ${JSON.stringify(value)}`));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`apps[0].env.${key}: looks like a secret`);
    expect(out[0]).toContain(why);
    expect(out[0]).toContain('shinykit secrets set shiny-demo');
    expect(out[0]).toContain('apps[0].secrets');
  });

  it('a git commit hash (lower-case hex, 40 characters) is not mistaken for an AWS secret key', () => {
    expect(secretEnvReason('GIT_SHA', 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3')).toBeUndefined();
  });

  it('an unknown key under an app that is named like a secret is told about apps[].secrets', () => {
    const out = messages(withApp('password: hunter2'));
    expect(out[0]).toContain('unknown key "password"');
    expect(out[0]).toContain('apps[].secrets');
  });
});

describe('apps[].secrets: references, never values', () => {
  it('accepts Parameter Store and Secrets Manager references by name and by ARN', () => {
    const cfg = parseConfig(withApp([
      'secrets:',
      '  DB_PASSWORD: ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD',
      '  PLAIN_NAME: ssm:legacy-param',
      '  API_KEY: secretsmanager:prod/api-key',
      '  OTHER: arn:aws:ssm:eu-central-1:210987654321:parameter/team/shared',
      '  RDS: arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-1234-AbC123',
    ].join('\n')));
    expect(Object.keys(cfg.apps[0]!.secrets!)).toEqual(['DB_PASSWORD', 'PLAIN_NAME', 'API_KEY', 'OTHER', 'RDS']);
    expect(parseSecretRef('arn:aws:ssm:eu-central-1:210987654321:parameter/team/shared')).toMatchObject({ service: 'ssm', name: '/team/shared', region: 'eu-central-1', account: '210987654321' });
    expect(parseSecretRef('arn:aws:ssm:eu-central-1:210987654321:parameter/flat')).toMatchObject({ name: 'flat' });
    expect(parseSecretRef('secretsmanager:prod/api-key')).toMatchObject({ service: 'secretsmanager', name: 'prod/api-key' });
  });

  it.each([
    ['hunter2', 'expected a reference such as ssm:/path/NAME'],
    ['ssm:not/rooted', 'is not a Parameter Store name'],
    ['ssm:/aws/reserved', 'reserves'],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api', 'must be complete'],
    ['arn:aws:s3:::bucket', 'expected the ARN of a Parameter Store parameter'],
  ])('refuses the reference %s', (ref, message) => {
    const out = messages(withApp(`secrets:\n  DB_PASSWORD: ${JSON.stringify(ref)}`));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('apps[0].secrets.DB_PASSWORD');
    expect(out[0]).toContain(message);
  });

  it('refuses a name that is not an environment variable name', () => {
    expect(messages(withApp('secrets:\n  1BAD: ssm:/x/y'))[0]).toContain('environment variable name');
  });

  it('refuses a name in both env and secrets', () => {
    const out = messages(withApp('env:\n  REGION_NAME: eu\nsecrets:\n  REGION_NAME: ssm:/x/y'));
    expect(out).toEqual([expect.stringContaining('apps[0].secrets.REGION_NAME: REGION_NAME is in both env and secrets')]);
  });

  it('refuses a parameter inside the kit\'s own configuration prefix, which the host reads whole', () => {
    const out = messages(withApp('secrets:\n  DB_PASSWORD: ssm:/shinykit/analytics/db'));
    expect(out[0]).toContain('/shinykit/analytics/ holds the kit\'s own configuration');
    expect(out[0]).toContain('/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD');
  });

  it('with backend: ecs, a Secrets Manager secret by name is refused (ECS takes only its full ARN)', () => {
    const out = messages(withApp('secrets:\n  API_KEY: secretsmanager:prod/api-key', 'backend: ecs\n'));
    expect(out[0]).toContain('with backend: ecs a Secrets Manager secret must be given by its full ARN');
    expect(out[0]).toContain('describe-secret --secret-id prod/api-key');
  });
});

type Yml = { proxy: { specs: Record<string, any>[] }; shinykit?: { 'app-secrets': Record<string, Record<string, string>> } };
const yml = (text: string) => parse(text, { version: '1.1' }) as Yml;

describe('render: where each backend gets the secrets from', () => {
  const shiny = 'env:\n  DB_HOST: db.internal\nsecrets:\n  DB_PASSWORD: ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD\n  API_KEY: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123';

  it('Docker backend: the spec names its env file, the references sit under shinykit.app-secrets, no value anywhere', () => {
    const cfg = fixtureConfig({ shiny });
    const out = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'fixture.yaml' });
    const y = yml(out.application);
    const spec = y.proxy.specs.find((s) => s.id === 'shiny-demo')!;
    expect(spec['container-env']).toEqual({ DB_HOST: 'db.internal' });
    expect(spec['container-env-file']).toBe('/run/shinykit-app-env/shiny-demo.env');
    // An app without secrets has no env file.
    expect(y.proxy.specs.find((s) => s.id === 'dash-demo')!['container-env-file']).toBeUndefined();
    expect(y.shinykit!['app-secrets']).toEqual({
      'shiny-demo': {
        DB_PASSWORD: 'ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD',
        API_KEY: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123',
      },
    });
    expect(out.application).toContain('# Not read by ShinyProxy');
  });

  it('no secrets: application.yml has neither the shinykit key nor an env file', () => {
    const cfg = fixtureConfig();
    const out = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'fixture.yaml' });
    expect(out.application).not.toContain('shinykit:');
    expect(out.application).not.toContain('container-env-file');
  });

  it('ECS backend: ecs-managed-secrets with full ARNs (Parameter Store names become ARNs in the stack\'s account and region)', () => {
    const base = fixtureConfig({ shiny });
    const cfg: Config = parseConfig(JSON.stringify({ ...JSON.parse(JSON.stringify(base)), backend: 'ecs' }), 'ecs.yaml');
    const outputs: Record<string, string> = {
      ...fixtureOutputs(cfg),
      [ExtraOutputKeys.EcsClusterName]: 'analytics-cluster',
      [ExtraOutputKeys.EcsSubnetIds]: 'subnet-0aaa1111bbbb2222c',
      [ExtraOutputKeys.EcsSecurityGroupId]: 'sg-0123456789abcdef0',
      [ExtraOutputKeys.EcsExecutionRoleArn]: 'arn:aws:iam::123456789012:role/analytics-exec',
      [ExtraOutputKeys.EcsLogGroupPrefix]: '/shinykit/analytics/apps/',
    };
    for (const app of cfg.apps) outputs[ecsTaskRoleOutputKey(app)] = `arn:aws:iam::123456789012:role/task-${app.id}`;
    const out = renderConfigs({ config: cfg, outputs, images: fixtureImages(cfg), source: 'ecs.yaml' });
    const y = yml(out.application);
    const spec = y.proxy.specs.find((s) => s.id === 'shiny-demo')!;
    expect(spec['ecs-managed-secrets']).toEqual([
      { name: 'DB_PASSWORD', 'value-from': 'arn:aws:ssm:eu-west-1:123456789012:parameter/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD' },
      { name: 'API_KEY', 'value-from': 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123' },
    ]);
    // ShinyProxy would copy an env file's values into the task definition's plain environment: none here.
    expect(spec['container-env-file']).toBeUndefined();
    expect(y.shinykit).toBeUndefined();
  });
});
