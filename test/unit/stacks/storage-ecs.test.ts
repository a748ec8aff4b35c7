/**
 * `backend: ecs` with apps[].storage (scope: shared): the EFS file system in the data stack
 * (encrypted, retained, backed up, TLS only, mounted only through mount targets), one access
 * point per app with a fixed POSIX user, mount targets in the app subnets behind a security
 * group that admits NFS from the app tasks only, and each task role allowed its own access
 * point only. The same synthesis goes through cdk-nag (AwsSolutions) and cfn-lint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildInventory } from '../../../cli/destroy/inventory.js';
import { StackOutputs } from '../../../cli/lib/stack-outputs.js';
import { defaultPricesFile, loadPrices } from '../../../cli/plan/prices.js';
import { renderConfigs } from '../../../lib/render/index.js';
import { placeholderImages, placeholderOutputs } from '../../../lib/render/index.js';
import { STORAGE_DIR_ENV } from '../../../lib/config/index.js';
import { expectCfnLintClean, expectNoOpenFindings, synthChecked, type Checked } from './checks.js';
import { configVariant, resourcesOf, only, synth, type Synthesized } from './synth.js';

const withSharedStorage = configVariant((raw) => {
  raw.backend = 'ecs';
  raw.region = 'eu-west-1';
  raw.apps[0].storage = { scope: 'shared' };
});

let s: Synthesized;
let checked: Checked[];
beforeAll(() => {
  s = synth(withSharedStorage);
  checked = synthChecked({ ecsStorage: withSharedStorage });
});

describe('ecs storage: the file system (data stack)', () => {
  it('is encrypted, backed up by AWS Backup and kept when the stack goes (except after a failed first create)', () => {
    const [[, fs]] = resourcesOf(s.dataJson, 'AWS::EFS::FileSystem') as [[string, any]];
    expect(fs.Properties).toMatchObject({ Encrypted: true, BackupPolicy: { Status: 'ENABLED' } });
    expect(fs.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(fs.UpdateReplacePolicy).toBe('Retain');
    expect(resourcesOf(s.hostJson, 'AWS::EFS::FileSystem')).toEqual([]);
  });

  it('its policy admits this account only through mount targets and refuses anything without TLS', () => {
    const fs = only(s.dataJson, 'AWS::EFS::FileSystem');
    const statements = fs.Properties.FileSystemPolicy.Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
      }),
      expect.objectContaining({ Effect: 'Deny', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    // ClientRootAccess is granted to nobody: the access point's POSIX user is what the app writes as.
    expect(JSON.stringify(statements)).not.toContain('ClientRootAccess');
  });

  it('has one access point for the app with storage, as a fixed non-root user, creating /apps/<id> for it', () => {
    const aps = resourcesOf(s.dataJson, 'AWS::EFS::AccessPoint');
    expect(aps).toHaveLength(1);
    expect(aps[0]![1].Properties).toMatchObject({
      PosixUser: { Uid: '10001', Gid: '10001' },
      RootDirectory: { Path: '/apps/shiny-demo', CreationInfo: { OwnerUid: '10001', OwnerGid: '10001', Permissions: '0750' } },
    });
    expect(Object.keys(s.dataJson.Outputs)).toEqual(expect.arrayContaining(['EcsStorageFileSystemId', 'EcsStorageAccessPointShinyDemo']));
  });
});

describe('ecs storage: reaching it (host stack)', () => {
  it('puts a mount target in every app subnet, behind a group that admits NFS from the app tasks only', () => {
    const mts = resourcesOf(s.hostJson, 'AWS::EFS::MountTarget');
    const appSubnets = JSON.stringify(s.hostJson.Outputs.EcsSubnetIds.Value);
    expect(mts.length).toBeGreaterThanOrEqual(2);
    for (const [, mt] of mts) expect(appSubnets).toContain(JSON.stringify(mt.Properties.SubnetId));
    const sgIds = new Set(mts.map(([, mt]) => JSON.stringify(mt.Properties.SecurityGroups)));
    expect(sgIds.size).toBe(1);
    const sgRef = mts[0]![1].Properties.SecurityGroups[0]['Fn::GetAtt'][0];
    const sg = s.hostJson.Resources[sgRef];
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]); // CDK's "no egress" marker
    const ingress = resourcesOf(s.hostJson, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.GroupId['Fn::GetAtt']?.[0] === sgRef);
    const appSg = s.hostJson.Outputs.EcsSecurityGroupId.Value['Fn::GetAtt'][0];
    expect(ingress.map(([, r]) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0]])).toEqual([[2049, 2049, appSg]]);
  });

  it('lets the app\'s task role mount and write through its own access point only, and other task roles nothing', () => {
    const policies = resourcesOf(s.hostJson, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p).includes('elasticfilesystem'));
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0]!;
    expect(policy.Properties.Roles).toHaveLength(1);
    expect(JSON.stringify(policy.Properties.Roles)).toContain('TaskRoleshinydemo');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'OwnStorage',
        Effect: 'Allow',
        Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
        Resource: expect.objectContaining({ 'Fn::ImportValue': expect.any(String) }),
        Condition: { StringEquals: { 'elasticfilesystem:AccessPointArn': expect.objectContaining({ 'Fn::ImportValue': expect.any(String) }) } },
      },
    ]);
  });

  it('passes cdk-nag (AwsSolutions) with no open finding, and cfn-lint', async () => {
    expectNoOpenFindings(checked);
    await expectCfnLintClean(checked[0]!.templates);
  });
});

describe('ecs storage and destroy', () => {
  it('destroy lists the retained file system as kept, by its id, and deletes the access points and mount targets', () => {
    const outputs = new StackOutputs({ EcsStorageFileSystemId: 'fs-0123456789abcdef0' }, 'cdk-outputs.json');
    const inv = buildInventory({
      config: withSharedStorage,
      stacks: [{ name: 'analytics-data', template: s.dataJson }, { name: 'analytics-host', template: s.hostJson }],
      outputs,
      prices: loadPrices(defaultPricesFile()),
    });
    expect(inv.kept.filter((k) => k.label.startsWith('EFS'))).toEqual([
      expect.objectContaining({ kind: 'other', label: 'EFS file system fs-0123456789abcdef0', id: 'fs-0123456789abcdef0', why: expect.stringContaining("apps' saved storage") }),
    ]);
    const deleted = inv.deleted.flatMap((d) => d.items).join('; ');
    expect(deleted).toContain('1 EFS access point (the files stay in the file system)');
    expect(deleted).toMatch(/\d EFS mount targets/);
  });
});

describe('ecs storage in application.yml', () => {
  it('gives the spec the access point as an EFS volume with TLS and IAM, mounted at the path, and the variable', () => {
    const outputs = placeholderOutputs(withSharedStorage);
    const { application } = renderConfigs({ config: withSharedStorage, outputs, images: placeholderImages(withSharedStorage, outputs), source: 'test' });
    const specs = (parse(application, { version: '1.1' }) as { proxy: { specs: Array<Record<string, any>> } }).proxy.specs;
    const app = specs.find((x) => x.id === 'shiny-demo')!;
    expect(app['ecs-efs-volumes']).toEqual([
      { name: 'shinykit-storage', 'file-system-id': 'fs-0123456789abcdef0', 'access-point-id': 'fsap-0123456789abcde00', 'transit-encryption': true, 'enable-iam': true },
    ]);
    expect(app['container-volumes']).toEqual(['shinykit-storage:/home/app/data']);
    expect(app['container-env']).toEqual({ [STORAGE_DIR_ENV]: '/home/app/data' });
    const other = specs.find((x) => x.id !== 'shiny-demo')!;
    expect(other['ecs-efs-volumes']).toBeUndefined();
    expect(other['container-volumes']).toBeUndefined();
  });

  it('refuses to render without the storage outputs, naming each one', () => {
    const outputs = placeholderOutputs(withSharedStorage);
    delete outputs.EcsStorageFileSystemId;
    outputs.EcsStorageAccessPointShinyDemo = 'not-an-access-point';
    expect(() => renderConfigs({ config: withSharedStorage, outputs, images: placeholderImages(withSharedStorage, outputs), source: 'test' })).toThrow(
      /output EcsStorageFileSystemId is missing[\s\S]*output EcsStorageAccessPointShinyDemo should be an EFS access point id/,
    );
  });
});
