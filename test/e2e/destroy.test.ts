/**
 * `shinykit destroy` and `destroy --purge`, run as the built CLI against moto_server
 * (Cognito, ECR, EC2 addresses, SSM) holding the resources the stacks keep. The CDK
 * CLI is test/support/fake-cdk.mjs because `cdk destroy` deletes CloudFormation stacks
 * in a real AWS account, which these machines cannot reach; it records the argv.
 */
import { CognitoIdentityProviderClient, AdminCreateUserCommand, CreateUserPoolCommand, CreateUserPoolDomainCommand, DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { EC2Client, AllocateAddressCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { ECRClient, CreateRepositoryCommand, DescribeRepositoriesCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { SSMClient, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';
import { startAwsRulesProxy, type AwsRulesProxy, type RecordedCall } from '../support/aws-rules-proxy.js';
import { runCliOnTty } from '../support/tty.js';

const FAKE_CDK = fileURLToPath(new URL('../support/fake-cdk.mjs', import.meta.url));

/**
 * Cognito refuses DeleteUserPool while deletion protection is active ("If you don't
 * deactivate deletion protection, Amazon Cognito returns an InvalidParameterException
 * error": https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-deletion-protection.html).
 * moto 5.2 deletes the pool anyway, so the proxy enforces that one rule.
 */
function deletionProtection(call: RecordedCall, history: readonly RecordedCall[]) {
  // moto 5.2 has no UpdateTerminationProtection; answer as CloudFormation does (the stacks
  // themselves are not in moto: cdk destroy is faked).
  if (call.operation === 'UpdateTerminationProtection') {
    return {
      status: 200,
      xml: '<UpdateTerminationProtectionResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><UpdateTerminationProtectionResult><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/demo-data/1a2b3c4d-0000-0000-0000-000000000000</StackId></UpdateTerminationProtectionResult></UpdateTerminationProtectionResponse>',
    };
  }
  if (call.operation !== 'DeleteUserPool') return undefined;
  const pool = (JSON.parse(call.body) as { UserPoolId: string }).UserPoolId;
  const unprotected = history.some((c) => {
    if (c.operation !== 'UpdateUserPool') return false;
    const body = JSON.parse(c.body) as { UserPoolId: string; DeletionProtection?: string };
    return body.UserPoolId === pool && body.DeletionProtection === 'INACTIVE';
  });
  if (unprotected) return undefined;
  return {
    status: 400,
    json: { __type: 'InvalidParameterException', message: 'The user pool cannot be deleted because deletion protection is activated.' },
  };
}

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1000, digest: `sha256:${'a'.repeat(64)}` },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 5000, digest: `sha256:${'b'.repeat(64)}` }],
});

describe('shinykit destroy (built CLI against moto; cdk destroy faked)', () => {
  let moto: Moto;
  let proxy: AwsRulesProxy;
  let dir: string;
  let log: string;
  let env: Record<string, string>;
  let poolId: string;
  let ip: string;
  const clientConfig = () => ({ endpoint: moto.url, region: TEST_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startAwsRulesProxy(moto.url, deletionProtection);
    dir = join(mkdtempSync(join(tmpdir(), 'shinykit-destroy-')), 'demo');
    const init = await runCli(['init', dir, '--name', 'demo', '--email', 'ops@demo.org', '--yes']);
    expect(init.exitCode, init.stderr).toBe(0);
  });
  afterAll(async () => {
    await proxy?.close();
    await moto?.stop();
  });

  /** The resources a deployed kit leaves behind, in moto, and the outputs file naming them. */
  beforeEach(async () => {
    await moto.reset();
    proxy.calls.length = 0;
    const cognito = new CognitoIdentityProviderClient(clientConfig());
    poolId = (await cognito.send(new CreateUserPoolCommand({ PoolName: 'demo', DeletionProtection: 'ACTIVE' }))).UserPool!.Id!;
    await cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'demo-login-test' }));
    await cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'ana@demo.org', MessageAction: 'SUPPRESS' }));
    const ecr = new ECRClient(clientConfig());
    for (const repo of ['demo/shiny-demo', 'demo/dash-demo']) await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
    await ecr.send(new PutImageCommand({ repositoryName: 'demo/shiny-demo', imageTag: 'v1', imageManifest: MANIFEST }));
    ip = (await new EC2Client(clientConfig()).send(new AllocateAddressCommand({ Domain: 'vpc' }))).PublicIp!;
    const ssm = new SSMClient(clientConfig());
    for (const name of ['/shinykit/demo/config/nginx', '/shinykit/demo/status/tls', '/shinykit/other/config/nginx']) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: 'x', Type: 'String' }));
    }
    // App secrets `shinykit secrets set` stored, this project's and another's.
    for (const name of ['/shinykit-secrets/demo/shiny-demo/DB_PASSWORD', '/shinykit-secrets/other/app/TOKEN']) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: 'secret-value', Type: 'SecureString' }));
    }
    writeFileSync(
      join(dir, 'cdk-outputs.json'),
      JSON.stringify({
        'demo-data': { UserPoolId: poolId, HostPublicIp: ip, Region: TEST_REGION, UserPoolClientId: 'c', CognitoDomainUrl: 'https://demo-login-test.auth.eu-west-1.amazoncognito.com' },
        'demo-host': { SiteUrl: `https://${ip}.sslip.io`, HostInstanceId: 'i-0123' },
      }),
    );
    log = join(dir, '..', `cdk-calls-${Date.now()}.jsonl`);
    env = { ...moto.env, AWS_ENDPOINT_URL: proxy.url, SHINYKIT_CDK: FAKE_CDK, FAKE_CDK_LOG: log };
  });

  const cdkCalls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { argv: string[] }).argv) : []);
  const poolExists = async () =>
    new CognitoIdentityProviderClient(clientConfig()).send(new DescribeUserPoolCommand({ UserPoolId: poolId })).then(() => true, () => false);
  const repos = async () => ((await new ECRClient(clientConfig()).send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((r) => r.repositoryName);
  const addresses = async () => ((await new EC2Client(clientConfig()).send(new DescribeAddressesCommand({}))).Addresses ?? []).map((a) => a.PublicIp);
  const params = async (path = '/shinykit/') =>
    ((await new SSMClient(clientConfig()).send(new GetParametersByPathCommand({ Path: path, Recursive: true }))).Parameters ?? []).map((p) => p.Name);

  it('without a terminal and without --yes it exits 2 and deletes nothing', async () => {
    const res = await runCli(['destroy'], { cwd: dir, env });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('pass --yes');
    expect(cdkCalls()).toEqual([]);
    expect(await poolExists()).toBe(true);
  });

  it('--yes lists what is deleted and what is kept with its monthly cost, runs cdk destroy --all, and keeps the retained resources and the outputs file', async () => {
    const res = await runCli(['destroy', '--yes'], { cwd: dir, env });
    expect(res.exitCode, res.stderr).toBe(0);
    // Deleted: read from the synthesized templates.
    expect(res.stderr).toMatch(/the CloudFormation stack demo-host, with .*1 EC2 instance/);
    expect(res.stderr).toMatch(/the CloudFormation stack demo-data, with .*3 Cognito groups \(their memberships are lost\)/);
    // Kept, with what they hold (from moto) and what they cost (assets/pricing/prices.json, eu-west-1).
    expect(res.stderr).toContain(`$ 3.65/month  Elastic IP ${ip}: your DNS record points at it`);
    expect(res.stderr).toContain('$0.005 per hour while it exists, attached or not');
    expect(res.stderr).toContain(`Cognito user pool ${poolId} (1 user)`);
    expect(res.stderr).toMatch(/ECR repository demo\/shiny-demo \(1 image, /);
    expect(res.stderr).toContain('ECR repository demo/dash-demo (0 images, 0.00 GB)');
    expect(res.stderr).toContain('Parameter Store entries below /shinykit/demo/ (2)');
    expect(res.stderr).toContain('App secrets below /shinykit-secrets/demo/ (SecureStrings)');
    expect(res.stderr).toMatch(/in total, estimated from prices of \d{4}-\d{2}-\d{2} for eu-west-1/);

    const [argv] = cdkCalls();
    expect(argv!.slice(0, 2)).toEqual(['destroy', '--all']);
    expect(argv).toContain('--force'); // we asked already; cdk must not ask again
    // termination protection lifted on the data stack, and only after the user said yes
    const lift = proxy.calls.find((c) => c.operation === 'UpdateTerminationProtection');
    expect(new URLSearchParams(lift!.body).get('StackName')).toBe('demo-data');
    expect(new URLSearchParams(lift!.body).get('EnableTerminationProtection')).toBe('false');
    expect(argv![argv!.indexOf('--context') + 1]).toBe(`config=${join(dir, 'shinykit.yaml')}`);

    expect(await poolExists()).toBe(true);
    expect(await repos()).toHaveLength(2);
    expect(await addresses()).toEqual([ip]);
    expect(existsSync(join(dir, 'cdk-outputs.json'))).toBe(true);
    expect(res.stdout).toContain('npx shinykit destroy --purge');
    expect(proxy.operations()).not.toContain('DeleteUserPool');
  });

  it('--purge --yes also removes the user pool (deletion protection off first), the repositories with their images, the Elastic IP and the kit\'s parameters, and drops the outputs file', async () => {
    const res = await runCli(['destroy', '--purge', '--yes'], { cwd: dir, env });
    expect(res.exitCode, res.stderr).toBe(0);
    expect(cdkCalls()).toHaveLength(1);

    expect(await poolExists()).toBe(false);
    expect(await repos()).toEqual([]); // demo/shiny-demo held an image: ECR deletes it only with force
    expect(await addresses()).toEqual([]);
    expect(await params()).toEqual(['/shinykit/other/config/nginx']); // another project's entries stay
    expect(await params('/shinykit-secrets/')).toEqual(['/shinykit-secrets/other/app/TOKEN']); // and its app secrets
    expect(existsSync(join(dir, 'cdk-outputs.json'))).toBe(false);

    const ops = proxy.operations();
    expect(ops.indexOf('DeleteUserPoolDomain')).toBeLessThan(ops.indexOf('DeleteUserPool'));
    expect(ops.indexOf('UpdateUserPool')).toBeLessThan(ops.indexOf('DeleteUserPool'));
    expect(ops).toContain('ReleaseAddress');
    expect(res.stdout).toMatch(/deleted\s+Cognito user pool .*deletion protection turned off first/);
    expect(res.stdout).toMatch(/deleted\s+ECR repository demo\/shiny-demo/);
  });

  it('--purge on a terminal asks twice, and a wrong project name at the second question deletes nothing', async () => {
    const res = await runCliOnTty(['destroy', '--purge'], {
      cwd: dir,
      env,
      answers: [
        [/Delete the stacks demo-data and demo-host\? \[y\/N\] /, 'y'],
        [/Type the project name \(demo\) to delete them too: /, 'dem'],
      ],
    });
    expect(res.code, res.screen).toBe(0);
    const named = res.screen.slice(res.screen.indexOf('--purge deletes these for good'));
    for (const item of ['Cognito user pool', `Elastic IP ${ip}`, 'ECR repository demo/shiny-demo', 'Parameter Store entries below /shinykit/demo/']) {
      expect(named).toContain(item);
    }
    expect(res.screen).toContain('Cancelled: nothing was deleted');
    expect(cdkCalls()).toEqual([]);
    expect(await poolExists()).toBe(true);
  });
});
