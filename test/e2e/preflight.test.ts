/**
 * `shinykit preflight` end to end: the built CLI against moto_server, which
 * serves every API preflight calls (STS, CloudFormation, SSM, Cognito domains
 * and pools, EC2 account attributes / addresses / instance type offerings /
 * zones, ECR, Secrets Manager, Route 53, IAM) — checked by hand against moto 5.2
 * before writing this. moto quirks met on the way, none of which the CLI relies on:
 * Service Quotas answers "not available" for EC2 (so the quota comes from
 * DescribeAccountAttributes vpc-max-elastic-ips, which moto and AWS both serve),
 * iam CreateServiceLinkedRole names the role AWSServiceRoleForecs (so the test
 * creates AWSServiceRoleForECS with CreateRole), and CloudFormation creates no
 * Cognito pool (the stand-in data stack names its pool in the UserPoolId output).
 */
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CognitoIdentityProviderClient, CreateUserPoolCommand, CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AllocateAddressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cognitoDomainPrefix, parseConfig } from '../../lib/config/index.js';
import { ROOT, runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

let moto: Moto;
let dir: string;
const BOOTSTRAP_PARAM = '/cdk-bootstrap/hnb659fds/version';

/** The bundled shinykit.yaml with `edit` applied, written next to the others; returns its path. */
function configFile(name: string, edit: (raw: Record<string, any>) => void): string {
  const raw = parse(readFileSync(join(ROOT, 'shinykit.yaml'), 'utf8')) as Record<string, any>;
  for (const app of raw.apps) app.context = join(ROOT, app.context);
  edit(raw);
  const file = join(dir, name);
  writeFileSync(file, stringify(raw));
  return file;
}

/** backend: ecs (NAT egress: a second Elastic IP), a Google provider, and a hosted zone: every optional check runs. */
const full = (r: Record<string, any>) => {
  r.backend = 'ecs';
  r.domain = 'apps.example.org';
  r.hostedZone = 'example.org';
  r.cognito.identityProviders = [{ type: 'google', clientId: '1234-abc.apps.googleusercontent.com', clientSecretName: 'shinykit/google-client' }];
  r.cognito.federatedEmailDomains = ['example.org'];
};

function clients() {
  const cfg = { endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    cfn: new CloudFormationClient(cfg),
    ssm: new SSMClient(cfg),
    cognito: new CognitoIdentityProviderClient(cfg),
    ec2: new EC2Client(cfg),
    ecr: new ECRClient(cfg),
    iam: new IAMClient(cfg),
    route53: new Route53Client(cfg),
    secrets: new SecretsManagerClient(cfg),
  };
}

/** `cdk bootstrap` as far as preflight can see: the CDKToolkit stack and its version parameter. */
async function bootstrap(version: string) {
  const c = clients();
  await c.cfn.send(
    new CreateStackCommand({
      StackName: 'CDKToolkit',
      TemplateBody: JSON.stringify({ Resources: { StagingBucket: { Type: 'AWS::S3::Bucket' } } }),
    }),
  );
  await c.ssm.send(new PutParameterCommand({ Name: BOOTSTRAP_PARAM, Value: version, Type: 'String', Overwrite: true }));
}

const preflight = (config: string, ...args: string[]) => runCli(['--config', config, 'preflight', ...args], { env: moto.env });

beforeAll(async () => {
  moto = await startMoto();
  dir = mkdtempSync(join(tmpdir(), 'shinykit-preflight-'));
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

describe('shinykit preflight (built CLI against moto_server)', () => {
  it('on a never-bootstrapped account: the bootstrap check fails with the exact `cdk bootstrap` to run, the rest pass, exit 1, --json', async () => {
    const res = await preflight(configFile('plain.yaml', () => {}), '--json');
    expect(res.exitCode).toBe(1);
    const report = JSON.parse(res.stdout) as { ok: boolean; failed: number; account: string; region: string; checks: Array<{ id: string; status: string; fix?: string }> };
    expect(report).toMatchObject({ ok: false, failed: 1, account: '123456789012', region: TEST_REGION });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(Object.keys(byId)).toEqual(['credentials', 'bootstrap', 'cognito-domain', 'elastic-ip-quota', 'instance-type', 'leftover-repositories', 'leftover-user-pools']);
    expect(byId.bootstrap).toMatchObject({ status: 'fail', fix: `run \`npx cdk bootstrap aws://123456789012/${TEST_REGION}\` once` });
    for (const id of ['credentials', 'cognito-domain', 'elastic-ip-quota', 'instance-type', 'leftover-repositories', 'leftover-user-pools']) {
      expect(byId[id]?.status, id).toBe('ok');
    }
  });

  it('a deployed kit whose pool owns the derived prefix and whose stack holds the repository and address passes every check (exit 0)', async () => {
    const c = clients();
    await bootstrap('30');
    const pool = await c.cognito.send(new CreateUserPoolCommand({ PoolName: 'kit', UserPoolTags: { 'shinykit:project': 'analytics' } }));
    const poolId = pool.UserPool!.Id!;
    // The data stack as moto can hold it: the repository and address it owns, the pool id in its output.
    const created = await c.cfn.send(
      new CreateStackCommand({
        StackName: 'analytics-data',
        TemplateBody: JSON.stringify({
          Resources: {
            Repo: { Type: 'AWS::ECR::Repository', Properties: { RepositoryName: 'analytics/shiny-demo' } },
            Eip: { Type: 'AWS::EC2::EIP', Properties: { Domain: 'vpc' } },
          },
          Outputs: { UserPoolId: { Value: poolId } },
        }),
      }),
    );
    // The prefix the stack derived from its own id (what preflight must compute too).
    const prefix = cognitoDomainPrefix(parseConfig(readFileSync(join(ROOT, 'shinykit.yaml'), 'utf8')), created.StackId!);
    expect(prefix).toMatch(/^analytics-login-[0-9a-f]{8}$/);
    await c.cognito.send(new CreateUserPoolDomainCommand({ Domain: prefix, UserPoolId: poolId }));
    await c.secrets.send(new CreateSecretCommand({ Name: 'shinykit/google-client', SecretString: 'not-a-real-secret' }));
    await c.route53.send(new CreateHostedZoneCommand({ Name: 'example.org', CallerReference: 'preflight-test' }));
    await c.iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSServiceRoleForECS',
        Path: '/aws-service-role/ecs.amazonaws.com/',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    );

    const res = await preflight(configFile('full.yaml', full));
    expect(res.stderr).not.toContain('error');
    expect(res.exitCode).toBe(0);
    const out = res.stdout;
    expect(out).toContain('✓ AWS credentials and target: account 123456789012, region eu-west-1; deployed stacks: analytics-data');
    expect(out).toContain('✓ CDK bootstrap stack present and recent enough: CDKToolkit version 30 (the stacks need 6+)');
    expect(out).toContain(`✓ Cognito domain prefix free or already this kit's: ${prefix} already belongs to this kit's pool ${poolId}`);
    // Two addresses in the templates (the site's, the NAT gateway's); the kit holds one already.
    expect(out).toContain('✓ Elastic IP quota has room: 1 of 5 Elastic IPs in use in eu-west-1; the deploy allocates 1 (this kit already holds 1)');
    expect(out).toContain('✓ instance type offered where the host will run: t3.small offered in eu-west-1a, eu-west-1b');
    expect(out).toContain("✓ no leftover ECR repositories with the kit's names");
    expect(out).toContain(`✓ no retained user pool from an earlier deploy: only the kit's own pool (${poolId})`);
    expect(out).toContain("✓ identity providers' client secrets exist in Secrets Manager: found shinykit/google-client");
    expect(out).toContain('✓ hosted zone exists: example.org');
    expect(out).toContain('✓ ECS service-linked role exists: AWSServiceRoleForECS');
    expect(out).toContain('all 10 checks passed');
    // The secret's value is never read, so never printed.
    expect(res.stdout + res.stderr).not.toContain('not-a-real-secret');
  });

  it('predicts each known deploy failure with its fix: old bootstrap, taken prefix, leftovers, no address left, type not offered, missing secret and zone', async () => {
    const c = clients();
    await bootstrap('5');
    const other = await c.cognito.send(new CreateUserPoolCommand({ PoolName: 'old', UserPoolTags: { 'shinykit:project': 'analytics' } }));
    await c.cognito.send(new CreateUserPoolDomainCommand({ Domain: 'analytics-login', UserPoolId: other.UserPool!.Id! }));
    await c.ecr.send(new CreateRepositoryCommand({ repositoryName: 'analytics/shiny-demo' }));
    for (let i = 0; i < 4; i++) await c.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));

    const broken = (r: Record<string, any>) => {
      full(r);
      r.host.instanceType = 'i2.large'; // a real (old) type that moto's eu-west-1 offerings lack
      r.cognito.domainPrefix = 'analytics-login'; // set by the user: checkable before the first deploy
    };
    const res = await preflight(configFile('broken.yaml', broken));
    expect(res.exitCode).toBe(1);
    const out = res.stdout;
    expect(out).toContain('✗ CDK bootstrap stack present and recent enough: bootstrap version 5; these stacks need 6 or later');
    expect(out).toContain(`is taken by user pool ${other.UserPool!.Id!}`);
    expect(out).toMatch(/fix: choose another cognito\.domainPrefix in shinykit\.yaml/);
    expect(out).toContain('✗ Elastic IP quota has room: 4 of 5 Elastic IPs in use in eu-west-1; the deploy allocates 2');
    expect(out).toContain('L-0263D0A3');
    expect(out).toContain('✗ instance type offered where the host will run: i2.large is not offered anywhere in eu-west-1');
    expect(out).toContain('✗ no leftover ECR repositories with the kit\'s names: analytics/shiny-demo already exists outside stack analytics-data');
    expect(out).toContain('npx cdk import analytics-data');
    expect(out).toContain(`! no retained user pool from an earlier deploy: user pool ${other.UserPool!.Id!} is tagged shinykit:project=analytics`);
    expect(out).toContain('✗ identity providers\' client secrets exist in Secrets Manager: not found in eu-west-1: shinykit/google-client (Google)');
    expect(out).toContain('--secret-string file://client-secret.txt');
    expect(out).toContain('✗ hosted zone exists: no public Route 53 hosted zone named example.org');
    // The host stack creates the role before the cluster: a warning, not a failure.
    expect(out).toContain('! ECS service-linked role exists: AWSServiceRoleForECS does not exist yet; the host stack creates it before the ECS cluster');
    expect(out).toContain('aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com');
    expect(out).toContain('7 of 10 checks failed');
    expect(res.stderr).toContain('7 check(s) failed');
  });

  it('bad input exits 2 before calling AWS: an invalid config, and no region anywhere', async () => {
    const bad = await preflight(configFile('bad.yaml', (r) => (r.host.instanceType = 'T3 small')));
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('host.instanceType');
    const noRegion = await runCli(['--config', configFile('plain2.yaml', () => {}), 'preflight'], {
      env: { ...moto.env, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    });
    expect(noRegion.exitCode).toBe(2);
    expect(noRegion.stderr).toContain('no AWS region is set');
  });
});
