/**
 * The host in the synthesized template: the user data that bootstraps it (short,
 * shellcheck-clean, fetching the host files as a CDK S3 asset), the creation
 * policy, the log group's retention, the role's permissions, and that the
 * Cognito client secret is nowhere in either template.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HOST_FILES, HOST_FILES_ARCHIVE, LEGO, hostAssetsDir, USER_DATA_LIMIT_BYTES } from '../../lib/host-bootstrap.js';
import { ExtraOutputKeys } from '../../lib/outputs.js';
import { asArray, configVariant, only, policyStatements, render, resourcesOf, synth, type Synthesized } from './stacks/synth.js';

let s: Synthesized;
let userData: string;
beforeAll(() => {
  s = synth(configVariant());
  userData = render(only(s.hostJson, 'AWS::EC2::Instance').Properties.UserData['Fn::Base64']);
});

/** The user data with every CloudFormation reference replaced by a plausible value. */
function concrete(text: string): string {
  return text.replace(/<[^<>\n]+>/g, 'resolved-value-0123456789');
}

/** The host files asset (the one host.env names by hash), from the cloud assembly's asset manifest. */
function hostFilesAsset(x: Synthesized): { hash: string; dir: string; objectKey: string } {
  const text = render(only(x.hostJson, 'AWS::EC2::Instance').Properties.UserData['Fn::Base64']);
  const hash = /^SHINYKIT_HOST_FILES_HASH='([0-9a-f]{64})'$/m.exec(text)![1]!;
  const manifest = JSON.parse(readFileSync(join(x.outdir, 'analytics-host.assets.json'), 'utf8'));
  const f = manifest.files[hash];
  expect(f.source.packaging).toBe('zip');
  return { hash, dir: join(x.outdir, f.source.path), objectKey: Object.values<any>(f.destinations)[0].objectKey };
}

/** Runs the user data's install lines against the staged asset and a temporary root; returns the root. */
function unpackTo(text: string): string {
  const install = /^# -- install host files$([\s\S]*?)^# -- end install host files$/m.exec(text)![1]!;
  const root = mkdtempSync(join(tmpdir(), 'shinykit-unpack-'));
  execFileSync('bash', ['-c', `set -euo pipefail\n${install}`], { env: { ...process.env, SHINYKIT_UNPACK_ROOT: root, src: hostFilesAsset(s).dir } });
  return root;
}

describe('host user data', () => {
  it('is a bash script well under EC2\'s 16 KB limit (the host files travel as an S3 asset)', () => {
    expect(userData.startsWith('#!/bin/bash\n')).toBe(true);
    // Measured 2026-12-02: 4.2 KB with the references filled in, against 14.4 KB with the files packed in.
    expect(Buffer.byteLength(concrete(userData))).toBeLessThan(USER_DATA_LIMIT_BYTES / 2);
  });

  it('passes shellcheck with the references filled in', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-ud-'));
    writeFileSync(join(dir, 'user-data.sh'), concrete(userData));
    const res = spawnSync('shellcheck', [join(dir, 'user-data.sh')], { encoding: 'utf8' });
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('installs aws-cfn-bootstrap before fetching anything, and signals FAILURE if the fetch fails', () => {
    const cfn = userData.indexOf('dnf -y -q install aws-cfn-bootstrap');
    const fetch = userData.indexOf('aws s3 cp');
    expect(cfn).toBeGreaterThan(0);
    expect(fetch).toBeGreaterThan(cfn);
    expect(userData).toMatch(/trap user_data_failed ERR[\s\S]*aws s3 cp/);
    expect(userData).toContain('cfn-signal -e 1 --id "user-data:failed:$step"');
  });

  it('fetches the host files asset by its content hash and names the hash in host.env, so changed files replace the host', () => {
    const asset = hostFilesAsset(s);
    expect(asset.objectKey).toBe(`${asset.hash}.zip`);
    expect(userData).toContain(`aws s3 cp 's3://cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/${asset.hash}.zip' '${HOST_FILES_ARCHIVE}'`);
    expect(userData).toContain(`SHINYKIT_HOST_FILES_HASH='${asset.hash}'`);
    // The asset is assets/host as it is in the repository.
    for (const f of HOST_FILES) expect(readFileSync(join(asset.dir, f.asset), 'utf8'), f.asset).toBe(readFileSync(join(hostAssetsDir(), f.asset), 'utf8'));
    expect(only(s.hostJson, 'AWS::EC2::Instance')).toBeDefined();
  });

  it('lets the host role read that one object and nothing else in the staging bucket', () => {
    const reads = policyStatements(s.hostJson).filter((st) => asArray(st.Action).some((a: string) => a.startsWith('s3:')));
    expect(reads).toHaveLength(1);
    expect(reads[0].Action).toBe('s3:GetObject');
    expect(asArray(reads[0].Resource).map(render)).toEqual([`arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/${hostFilesAsset(s).hash}.zip`]);
  });

  it('installs every host file from the asset with its mode, then runs the bootstrap', () => {
    const root = unpackTo(userData);
    for (const f of HOST_FILES) {
      expect(readFileSync(join(root, f.path), 'utf8'), f.asset).toBe(readFileSync(join(hostAssetsDir(), f.asset), 'utf8'));
      expect((statSync(join(root, f.path)).mode & 0o777).toString(8).padStart(4, '0'), f.asset).toBe(f.mode);
    }
    expect(userData.trimEnd().endsWith('exec /usr/local/sbin/shinykit-bootstrap')).toBe(true);
  });

  it('writes host.env with the deployment\'s facts and the ShinyProxy version to install', () => {
    const env = /cat >\/etc\/shinykit\/host.env <<'SHINYKIT_ENV'\n([\s\S]*?)\nSHINYKIT_ENV/.exec(userData)![1]!;
    expect(env).toContain("SHINYKIT_PREFIX='/shinykit/analytics/'");
    expect(env).toContain("SHINYKIT_SHINYPROXY_VERSION='3.2.4'");
    expect(env).toContain("SHINYKIT_SHINYPROXY_URL='https://github.com/openanalytics/shinyproxy/releases/download/v3.2.4/shinyproxy-3.2.4.jar'");
    expect(env).toContain("SHINYKIT_SHINYPROXY_SHA256='0bd68e3ba31b5288b5523ee250e90f316f5e0524bd11bcc18645499ede1ee57e'");
    expect(env).toContain("SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED='no'");
    expect(env).toContain("SHINYKIT_TLS_EMAIL='ops@example.org'");
    expect(env).toMatch(/SHINYKIT_SITE_HOSTNAME='<import:analytics-data:\S+PublicIp[^'>]*>'/);
    expect(env).toContain("SHINYKIT_TLS_PROFILE='shortlived'");
    expect(env).toContain(`SHINYKIT_LEGO_VERSION='${LEGO.version}'`);
    expect(env).toContain(`SHINYKIT_LEGO_SHA256_X86_64='${LEGO.sha256.x86_64}'`);
    expect(env).toContain(`SHINYKIT_LEGO_SHA256_AARCH64='${LEGO.sha256.aarch64}'`);
    expect(env).toMatch(/SHINYKIT_RESOURCE='\w+'/);
    expect(env).not.toMatch(/SECRET=/i);
  });

  it('pins the ShinyProxy jar checksum from shinyproxy.sha256 when the config sets it', () => {
    const sha = 'ab'.repeat(32);
    const pinned = synth(configVariant((raw) => (raw.shinyproxy.sha256 = sha)));
    const text = render(only(pinned.hostJson, 'AWS::EC2::Instance').Properties.UserData['Fn::Base64']);
    expect(text).toContain(`SHINYKIT_SHINYPROXY_SHA256='${sha}'`);
  });

  it('is the same on every synth (no timestamps or machine-dependent bytes)', () => {
    const again = synth(configVariant());
    expect(render(only(again.hostJson, 'AWS::EC2::Instance').Properties.UserData['Fn::Base64'])).toBe(userData);
  });
});

describe('host stack: bootstrap contract', () => {
  it('makes CloudFormation wait for one success signal from the bootstrap (creation policy)', () => {
    const [logicalId, instance] = resourcesOf(s.hostJson, 'AWS::EC2::Instance')[0]!;
    expect(instance.CreationPolicy).toEqual({ ResourceSignal: { Count: 1, Timeout: 'PT30M' } });
    expect(userData).toContain(`SHINYKIT_RESOURCE='${logicalId}'`);
    expect(userData).toContain("SHINYKIT_STACK='analytics-host'");
  });

  it('keeps host logs in a log group with an explicit retention, named by the HostLogGroupName output', () => {
    const group = only(s.hostJson, 'AWS::Logs::LogGroup').Properties;
    expect(group.RetentionInDays).toBeGreaterThan(0);
    const [groupId] = resourcesOf(s.hostJson, 'AWS::Logs::LogGroup')[0]!;
    expect(s.hostJson.Outputs[ExtraOutputKeys.HostLogGroupName].Value).toEqual({ Ref: groupId });
    expect(userData).toMatch(/SHINYKIT_LOG_GROUP='[^']+'/);
  });

  it('gives the instance role only what the host scripts use, with "*" only where AWS allows nothing narrower', () => {
    const statements = policyStatements(s.hostJson);
    const unscoped = new Set<string>();
    for (const st of statements) {
      expect(st.Effect).toBe('Allow');
      for (const action of asArray(st.Action) as string[]) expect(action, 'no action wildcards').not.toContain('*');
      if (asArray(st.Resource).includes('*')) for (const a of asArray(st.Action) as string[]) unscoped.add(a);
    }
    // Session Manager / Run Command agent actions and the ECR token: no resource-level permissions exist.
    for (const a of unscoped) expect(a).toMatch(/^(ssm:(Describe|Get(Deployable|Document|Manifest)|List|Put(Inventory|Compliance|Configure)|Update)|ssmmessages:|ec2messages:|ecr:GetAuthorizationToken$)/);
    expect(unscoped).not.toContain('ssm:GetParameter');
    expect(unscoped).not.toContain('ssm:PutParameter');

    const byAction = (action: string) => statements.filter((st) => (asArray(st.Action) as string[]).includes(action));
    const resources = (action: string) => byAction(action).flatMap((st) => asArray(st.Resource).map(render));
    // Writes: only the status parameters the host scripts publish, and the one certificate store parameter (shinykit-tls).
    expect(resources('ssm:PutParameter')).toEqual([
      expect.stringMatching(/:parameter\/shinykit\/analytics\/status\/\*$/),
      expect.stringMatching(/:parameter\/shinykit\/analytics\/tls\/acme$/),
    ]);
    // Reads: the deployment's own prefix (candidate/, config/, status/).
    for (const r of resources('ssm:GetParametersByPath')) expect(r).toMatch(/:parameter\/shinykit\/analytics(\/\*)?$/);
    // The client secret, read by shinykit-client-secret: the user pool only.
    expect(resources('cognito-idp:DescribeUserPoolClient')).toEqual([expect.stringMatching(/UserPool/)]);
    // Logs: the host's own group.
    for (const r of resources('logs:PutLogEvents')) expect(r).toMatch(/LogGroup/);
  });

  it('holds no Cognito client secret anywhere: no GetAtt of ClientSecret, no secret value in user data or outputs', () => {
    for (const template of [s.dataJson, s.hostJson]) {
      const text = JSON.stringify(template);
      expect(text).not.toMatch(/"ClientSecret"/);
      expect(text).not.toMatch(/SecretString|SecretsManager/);
    }
    const outputValues = JSON.stringify(Object.values({ ...s.dataJson.Outputs, ...s.hostJson.Outputs }).map((o: any) => o.Value));
    expect(outputValues).not.toMatch(/secret/i);
    // The only mention in the user data is the name of the environment variable the host fills in itself.
    const mentions = concrete(userData).match(/SHINYKIT_COGNITO_CLIENT_SECRET=\S*/g) ?? [];
    expect(mentions).toEqual([]);
    const secretScript = readFileSync(join(unpackTo(userData), '/usr/local/sbin/shinykit-client-secret'), 'utf8');
    expect(secretScript).toContain('describe-user-pool-client');
    expect(secretScript).toContain('umask 077');
  });

  it('passes cfn-lint', () => {
    const res = spawnSync('cfn-lint', ['--format', 'parseable', join(s.outdir, 'analytics-host.template.json')], { encoding: 'utf8' });
    expect(res.stdout).toBe('');
  });
});

