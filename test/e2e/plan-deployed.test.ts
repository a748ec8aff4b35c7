/**
 * `shinykit plan` against a deployed kit: the built CLI with credentials for
 * moto_server, where a CloudFormation stack stands for the deployed data stack.
 * Its template is the real synthesis of the bundled shinykit.yaml with the
 * outputs cut to UserPoolId: moto's CloudFormation cannot resolve the Elastic
 * IP's PublicIp attribute the other outputs use, and creates no Cognito pool
 * (the test makes the pool, its groups and members with the Cognito API, as the
 * stack would have). The host stack is not deployed (moto cannot create it),
 * which plan reports as "would be created".
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { AdminAddUserToGroupCommand, AdminCreateUserCommand, CreateGroupCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.js';
import { parseConfig } from '../../lib/config/index.js';
import { ROOT, runCli, type CliResult } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { adminClient } from '../support/users-fixture.js';

let moto: Moto;
let text: CliResult;
let json: CliResult;
const MEMBERS = 61; // past one ListUsersInGroup page (60)

beforeAll(async () => {
  moto = await startMoto();
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-plan-deployed-'));
  const aws = { endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };

  // The running kit's pool: the bundled groups, dash_users with 61 members.
  const cognito = adminClient(moto);
  const poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'analytics', UsernameAttributes: ['email'] }))).UserPool!.Id!;
  for (const GroupName of ['admin_users', 'shiny_users', 'dash_users']) await cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
  for (let i = 0; i < MEMBERS; i++) {
    const Username = `d${i}@example.org`;
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName: 'dash_users' }));
  }

  // The deployed data stack: today's bundled config, synthesized.
  const bundled = readFileSync(join(ROOT, 'shinykit.yaml'), 'utf8');
  const { app } = buildApp(parseConfig(bundled), { outdir: mkdtempSync(join(tmpdir(), 'shinykit-deployed-')) });
  const deployed = app.synth().stacks.find((s) => s.stackName === 'analytics-data')!.template as Record<string, any>;
  deployed.Outputs = { UserPoolId: { Value: poolId } };
  await new SSMClient(aws).send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String' }));
  await new CloudFormationClient(aws).send(new CreateStackCommand({ StackName: 'analytics-data', TemplateBody: JSON.stringify(deployed) }));
  // Kept from an app removed long ago: adding "report" again collides with it.
  await new ECRClient(aws).send(new CreateRepositoryCommand({ repositoryName: 'analytics/report' }));

  // The edit under review: rename dash_users, drop dash-demo, bring back "report", change the login prefix.
  const raw = parse(bundled) as Record<string, any>;
  for (const a of raw.apps) a.context = join(ROOT, a.context);
  raw.cognito.groups.dash_team = raw.cognito.groups.dash_users;
  delete raw.cognito.groups.dash_users;
  raw.apps = [raw.apps[0], { id: 'report', kind: 'shiny', context: join(ROOT, 'assets/examples/shiny-demo'), groups: ['dash_team'] }];
  raw.cognito.domainPrefix = 'analytics-sso';
  const config = join(dir, 'shinykit.yaml');
  writeFileSync(config, stringify(raw));

  const env = { ...moto.env };
  text = await runCli(['--config', config, '--outputs', join(dir, 'none.json'), 'plan', '--no-preview'], { env, cwd: dir, timeoutMs: 290_000 });
  json = await runCli(['--config', config, '--outputs', join(dir, 'none.json'), 'plan', '--json', '--no-preview'], { env, cwd: dir, timeoutMs: 290_000 });
}, 600_000); // two plans (each synthesizes both stacks) on a shared two-core machine
afterAll(async () => {
  await moto?.stop();
});

describe('shinykit plan with credentials, against the deployed stacks (built CLI, moto_server)', () => {
  it('says it compared with the deployed data stack (GetTemplate) and that the host stack would be created', () => {
    // Changes CloudFormation or Cognito would refuse are errors: plan exits 2 and says so.
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toMatch(/plan found \d+ errors?/);
    expect(text.stdout).toContain('compared with the deployed stacks: plan deploys nothing');
    expect(text.stdout).toContain('Compared with the deployed analytics-data (CloudFormation GetTemplate); analytics-host would be created.');
  });

  it('a renamed group: the old one is deleted with its member count, and the safe path is `groups rename`', () => {
    expect(text.stdout).toContain(`LOSES DATA: group dash_users would be deleted with its ${MEMBERS} members' memberships.`);
    expect(text.stdout).toContain('shinykit groups rename dash_users <new>');
  });

  it('a removed app orphans its repository; re-adding an app whose repository was kept would fail', () => {
    expect(text.stdout).toContain('LOSES DATA: repository analytics/dash-demo would be left behind');
    expect(text.stdout).toContain('WOULD FAIL: repository analytics/report already exists outside the stack');
    expect(text.stdout).toContain('npx cdk import analytics-data');
  });

  it('a new domain prefix on the deployed pool is refused by Cognito, and the safe path keeps the deployed prefix', () => {
    expect(text.stdout).toContain('WOULD FAIL: the Cognito domain prefix would change from "analytics-login-<data-stack-id>" (derived) to "analytics-sso"');
    expect(text.stdout).toContain('safer: keep the deployed prefix: set cognito.domainPrefix to the prefix in the data stack\'s CognitoDomainUrl output');
  });

  it('--json carries the same findings as data', () => {
    expect(json.exitCode).toBe(2); // the refused prefix change, as in the text plan
    const plan = JSON.parse(json.stdout) as { deployed: { compared: boolean; stacks: unknown; findings: Array<Record<string, unknown>> } };
    expect(plan.deployed.compared).toBe(true);
    expect(plan.deployed.stacks).toEqual([
      { stack: 'analytics-data', deployed: true },
      { stack: 'analytics-host', deployed: false },
    ]);
    const byCode = (code: string) => plan.deployed.findings.filter((f) => f.code === code);
    expect(byCode('group-deleted')).toEqual([expect.objectContaining({ kind: 'data-loss', group: 'dash_users', members: MEMBERS, stack: 'analytics-data' })]);
    expect(byCode('repository-orphaned')).toEqual([expect.objectContaining({ repository: 'analytics/dash-demo', impact: 'WILL_ORPHAN' })]);
    expect(byCode('repository-exists')).toEqual([expect.objectContaining({ kind: 'refused', repository: 'analytics/report' })]);
    expect(byCode('domain-prefix-changed')).toEqual([expect.objectContaining({ kind: 'refused', impact: 'WILL_REPLACE' })]);
    expect(plan.deployed.findings.map((f) => f.code).sort()).toEqual(['domain-prefix-changed', 'group-deleted', 'repository-exists', 'repository-orphaned']);
  });
});
