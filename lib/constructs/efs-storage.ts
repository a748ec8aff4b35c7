/**
 * EfsStorage (`backend: ecs`, apps with `storage`): the app storage as one encrypted EFS file
 * system with an access point per app. It lives in the data stack, retained like the other
 * stateful resources: the host stack (and with it the network, the mount targets and the task
 * roles) can be replaced or deleted without touching the files, and reconnects to them.
 *
 * Why an access point per app, and why only `scope: shared` on ECS:
 * - containerproxy's ECS backend (EcsSpecExtension `ecs-efs-volumes`, EcsBackend.getVolumes)
 *   passes each volume to RegisterTaskDefinition as an EFSVolumeConfiguration: file system,
 *   root directory, transit encryption, access point, IAM authorization. ECS requires transit
 *   encryption with an access point, and "if an EFS access point is specified in the
 *   authorizationConfig, the root directory parameter must either be omitted or set to /"
 *   (ECS API, EFSVolumeConfiguration). So a per-user directory would need an access point per
 *   user, which nothing creates when a new user signs in: per-user storage stays Docker-only
 *   (the config rules in lib/config/storage.ts say so).
 * - The access point fixes the POSIX user (uid/gid STORAGE_POSIX_ID) for every request and
 *   creates its root directory owned by it (CreationInfo; without it a missing root directory
 *   fails the mount, EFS API RootDirectory), so the app can write whatever user its image runs as.
 * - The file system policy lets this account's principals mount and write only through a
 *   mount target and only over TLS; which access point a task may use is then said by its task
 *   role (elasticfilesystem:AccessPointArn), so one app cannot mount another's files.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as efs from 'aws-cdk-lib/aws-efs';
import { Construct } from 'constructs';
import type { Config } from '../config/index.js';

/** The uid and gid the access points act as (the kit's example images run as 10001). */
export const STORAGE_POSIX_ID = '10001';

/** Apps whose storage EFS holds: with `backend: ecs`, every app with `storage` (shared only, by the config rules). */
export function efsStorageAppIds(cfg: Pick<Config, 'backend' | 'apps'>): string[] {
  return cfg.backend === 'ecs' ? cfg.apps.filter((a) => a.storage).map((a) => a.id) : [];
}

export interface EfsStorageProps {
  readonly config: Config;
}

export class EfsStorage extends Construct {
  readonly fileSystem: efs.CfnFileSystem;
  /** App id → its access point. */
  readonly accessPoints: ReadonlyMap<string, efs.CfnAccessPoint>;

  constructor(scope: Construct, id: string, props: EfsStorageProps) {
    super(scope, id);
    const cfg = props.config;
    const account = Stack.of(this).account;
    this.fileSystem = new efs.CfnFileSystem(this, 'FileSystem', {
      // At rest with the AWS managed key aws/elasticfilesystem (cdk-nag EFS1).
      encrypted: true,
      // AWS Backup's daily backups of EFS, kept 35 days (EFS User Guide, "Automatic backups").
      backupPolicy: { status: 'ENABLED' },
      fileSystemTags: [{ key: 'Name', value: `shinykit-${cfg.name}-storage` }],
      fileSystemPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ThisAccountThroughMountTargets',
            Effect: 'Allow',
            Principal: { AWS: `arn:${Stack.of(this).partition}:iam::${account}:root` },
            Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
            Condition: { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } },
          },
          {
            Sid: 'TlsOnly',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
    // Kept when the data stack or the storage setting goes; dropped with a failed first create.
    this.fileSystem.applyRemovalPolicy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);

    const accessPoints = new Map<string, efs.CfnAccessPoint>();
    for (const appId of efsStorageAppIds(cfg)) {
      accessPoints.set(
        appId,
        new efs.CfnAccessPoint(this, `AccessPoint${appId}`, {
          fileSystemId: this.fileSystem.ref,
          posixUser: { uid: STORAGE_POSIX_ID, gid: STORAGE_POSIX_ID },
          rootDirectory: {
            path: `/apps/${appId}`,
            creationInfo: { ownerUid: STORAGE_POSIX_ID, ownerGid: STORAGE_POSIX_ID, permissions: '0750' },
          },
          accessPointTags: [{ key: 'Name', value: `shinykit-${cfg.name}-${appId}` }],
        }),
      );
    }
    this.accessPoints = accessPoints;
  }
}

/** What the host stack needs of the storage (cross-stack references to the data stack). */
export interface EfsStorageRefs {
  readonly fileSystemId: string;
  readonly fileSystemArn: string;
  /** App id → its access point's ARN. */
  readonly accessPointArns: ReadonlyMap<string, string>;
}

export function efsStorageRefs(storage: EfsStorage): EfsStorageRefs {
  return {
    fileSystemId: storage.fileSystem.ref,
    fileSystemArn: storage.fileSystem.attrArn,
    accessPointArns: new Map([...storage.accessPoints].map(([id, ap]) => [id, ap.attrArn])),
  };
}
