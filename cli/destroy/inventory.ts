/**
 * What `shinykit destroy` deletes and what it keeps. Which resources CloudFormation
 * keeps is read from the synthesized templates (a DeletionPolicy of Retain or
 * RetainExceptOnCreate), so the list follows the stacks rather than a copy of them;
 * which ones exist, and how big they are, from the stack outputs and AWS.
 */
import { HOST_STORAGE_METADATA_KEY, type Config } from '../../lib/config/index.js';
import { ExtraOutputKeys, OutputKeys } from '../../lib/outputs.js';
import type { CfnTemplate } from '../plan/template.js';
import type { PriceTable } from '../plan/prices.js';
import type { StackOutputs } from '../lib/stack-outputs.js';

/** A retained resource `--purge` can remove, or `other` (named, but left to the user). */
export type KeptKind = 'user-pool' | 'repository' | 'address' | 'parameters' | 'other';

export interface KeptResource {
  readonly kind: KeptKind;
  /** What it is, for people: "Cognito user pool eu-west-1_abc (3 users)". */
  readonly label: string;
  /** The identifier purge acts on: pool id, repository name, public IP, parameter path. */
  readonly id: string;
  /** Why it is kept. */
  readonly why: string;
  /** Estimated USD per month while it exists; undefined when unknown. */
  readonly monthly?: number;
  /** How the cost arises ("billed per hour while it exists"). */
  readonly costNote: string;
}

export interface DeletedGroup {
  readonly stack: string;
  /** "1 EC2 instance", "3 Cognito groups (their memberships are lost)", ... */
  readonly items: readonly string[];
}

export interface Inventory {
  readonly deleted: readonly DeletedGroup[];
  readonly kept: readonly KeptResource[];
  /** Region whose prices the costs use, and whether the table had it. */
  readonly priceRegion: string;
  readonly pricesAsOf: string;
}

/** Sizes and counts read from AWS; every field optional (the lookup is best effort). */
export interface LiveDetails {
  readonly users?: number;
  /** Per repository name: images and their total size. */
  readonly images?: ReadonlyMap<string, { count: number; bytes: number }>;
  readonly parameters?: readonly string[];
}

const RETAINED = new Set(['Retain', 'RetainExceptOnCreate']);

const FRIENDLY: Record<string, [string, string]> = {
  'AWS::EC2::Instance': ['EC2 instance', 'EC2 instances'],
  'AWS::EC2::VPC': ['VPC', 'VPCs'],
  'AWS::EC2::Subnet': ['subnet', 'subnets'],
  'AWS::EC2::SecurityGroup': ['security group', 'security groups'],
  'AWS::EC2::NatGateway': ['NAT gateway', 'NAT gateways'],
  'AWS::EC2::VPCEndpoint': ['VPC endpoint', 'VPC endpoints'],
  'AWS::EC2::EIPAssociation': ['Elastic IP association', 'Elastic IP associations'],
  'AWS::IAM::Role': ['IAM role', 'IAM roles'],
  'AWS::IAM::Policy': ['IAM policy', 'IAM policies'],
  'AWS::IAM::InstanceProfile': ['instance profile', 'instance profiles'],
  'AWS::Logs::LogGroup': ['log group', 'log groups'],
  'AWS::Lambda::Function': ['Lambda function', 'Lambda functions'],
  'AWS::ECS::Cluster': ['ECS cluster', 'ECS clusters'],
  'AWS::Cognito::UserPoolClient': ['Cognito app client', 'Cognito app clients'],
  'AWS::Cognito::UserPoolDomain': ['hosted login domain', 'hosted login domains'],
  'AWS::Cognito::UserPoolGroup': ['Cognito group (its memberships are lost)', 'Cognito groups (their memberships are lost)'],
  'AWS::Cognito::UserPoolIdentityProvider': ['identity provider link', 'identity provider links'],
  'AWS::Route53::RecordSet': ['DNS record', 'DNS records'],
  'AWS::EFS::AccessPoint': ['EFS access point (the files stay in the file system)', 'EFS access points (the files stay in the file system)'],
  'AWS::EFS::MountTarget': ['EFS mount target', 'EFS mount targets'],
};

/** Bookkeeping resources nobody needs to hear about. */
const SILENT = new Set(['AWS::CDK::Metadata']);

export function buildInventory(input: {
  readonly config: Config;
  readonly stacks: ReadonlyArray<{ readonly name: string; readonly template: CfnTemplate }>;
  readonly outputs: StackOutputs;
  readonly prices: PriceTable;
  readonly details?: LiveDetails;
}): Inventory {
  const { config, stacks, outputs, prices, details = {} } = input;
  const wanted = outputs.find(OutputKeys.Region) ?? config.region ?? prices.defaultRegion;
  const priceRegion = prices.regions[wanted] ? wanted : prices.defaultRegion;
  const table = prices.regions[priceRegion]!;
  const hours = prices.hoursPerMonth;
  const regionNote = priceRegion === wanted ? '' : ` (${priceRegion} prices; the table has none for ${wanted})`;

  const deleted: DeletedGroup[] = [];
  const kept: KeptResource[] = [];
  for (const stack of stacks) {
    const counts = new Map<string, number>();
    for (const [logicalId, res] of Object.entries(stack.template.Resources ?? {})) {
      const type = String(res.Type);
      if (SILENT.has(type)) continue;
      if (!RETAINED.has(String((res as { DeletionPolicy?: unknown }).DeletionPolicy ?? ''))) {
        counts.set(type, (counts.get(type) ?? 0) + 1);
        continue;
      }
      kept.push(keptResource(type, logicalId, res.Properties ?? {}, { config, outputs, table, hours, regionNote, details }));
    }
    const items = [...counts].map(([type, n]) => `${n} ${friendly(type, n)}`);
    const storage = hostStorageIn(stack.template);
    if (storage.length > 0) items.push(`the saved storage of ${storage.join(', ')} (apps[].storage, on the host's disk)`);
    deleted.push({ stack: stack.name, items: [`the CloudFormation stack ${stack.name}`, ...items] });
  }
  const prefix = `/shinykit/${config.name}/`;
  const params = details.parameters;
  kept.push({
    kind: 'parameters',
    label: `Parameter Store entries below ${prefix}${params ? ` (${params.length})` : ''}`,
    id: prefix,
    why: 'written by shinykit apply and the host, not by CloudFormation',
    monthly: 0,
    costNote: 'standard parameters are free',
  });
  return { deleted, kept, priceRegion, pricesAsOf: prices.asOf };
}

function keptResource(
  type: string,
  logicalId: string,
  props: Record<string, unknown>,
  c: {
    config: Config;
    outputs: StackOutputs;
    table: PriceTable['regions'][string];
    hours: number;
    regionNote: string;
    details: LiveDetails;
  },
): KeptResource {
  switch (type) {
    case 'AWS::Cognito::UserPool': {
      const id = c.outputs.find(OutputKeys.UserPoolId) ?? logicalId;
      const users = c.details.users === undefined ? '' : ` (${c.details.users} user${c.details.users === 1 ? '' : 's'})`;
      return {
        kind: 'user-pool',
        label: `Cognito user pool ${id}${users}`,
        id,
        why: 'it holds every user, their password and MFA; deletion protection is on',
        monthly: 0,
        costNote: 'billed per monthly active user only: nothing while nobody signs in',
      };
    }
    case 'AWS::ECR::Repository': {
      const name = typeof props.RepositoryName === 'string' ? props.RepositoryName : logicalId;
      const images = c.details.images?.get(name);
      const gb = images ? images.bytes / 1e9 : undefined;
      return {
        kind: 'repository',
        label: `ECR repository ${name}${images ? ` (${images.count} image${images.count === 1 ? '' : 's'}, ${gb!.toFixed(2)} GB)` : ''}`,
        id: name,
        why: 'it holds your app images',
        monthly: gb === undefined ? undefined : gb * c.table.ecrStoragePerGBMonth,
        costNote: `storage, $${c.table.ecrStoragePerGBMonth.toFixed(2)} per GB-month${c.regionNote}`,
      };
    }
    case 'AWS::EC2::EIP': {
      const ip = c.outputs.find(OutputKeys.HostPublicIp) ?? logicalId;
      return {
        kind: 'address',
        label: `Elastic IP ${ip}`,
        id: ip,
        why: 'your DNS record points at it; a later deploy reuses the same address',
        monthly: c.table.publicIpv4PerHour * c.hours,
        costNote: `public IPv4, $${c.table.publicIpv4PerHour} per hour while it exists, attached or not${c.regionNote}`,
      };
    }
    case 'AWS::Logs::LogGroup': {
      const name = typeof props.LogGroupName === 'string' ? props.LogGroupName : logicalId;
      // Kept so a failed first create leaves its logs; it empties itself by its retention.
      return { kind: 'other', label: `CloudWatch log group ${name}`, id: name, why: 'it holds the host\'s logs until its retention ends', monthly: 0, costNote: 'stored logs only, a few cents per GB-month' };
    }
    case 'AWS::EFS::FileSystem': {
      const id = c.outputs.find(ExtraOutputKeys.EcsStorageFileSystemId) ?? logicalId;
      return {
        kind: 'other',
        label: `EFS file system ${id}`,
        id,
        why: 'it holds the apps\' saved storage (apps[].storage with backend: ecs)',
        costNote: 'billed per GB-month stored (EFS pricing page); delete it with `aws efs delete-file-system` once the files are not needed',
      };
    }
    default:
      return { kind: 'other', label: `${type} ${logicalId}`, id: logicalId, why: 'its DeletionPolicy keeps it', costNote: 'see the AWS pricing page for its type' };
  }
}

/** App ids whose storage is on a host instance of this template (its shinykit:storage metadata). */
function hostStorageIn(t: CfnTemplate): string[] {
  return Object.values(t.Resources ?? {}).flatMap((r) => {
    const apps = (r as { Metadata?: Record<string, { apps?: Array<{ id?: unknown }> }> }).Metadata?.[HOST_STORAGE_METADATA_KEY]?.apps;
    return r.Type === 'AWS::EC2::Instance' && Array.isArray(apps) ? apps.flatMap((a) => (typeof a.id === 'string' ? [a.id] : [])) : [];
  });
}

function friendly(type: string, n: number): string {
  const names = FRIENDLY[type];
  if (names) return n === 1 ? names[0] : names[1];
  if (type.startsWith('Custom::')) return n === 1 ? 'custom resource' : 'custom resources';
  return type.replace(/^AWS::/, '');
}

/** The lines destroy shows before it asks. */
export function formatInventory(inv: Inventory): string[] {
  const lines = ['Deleted:'];
  for (const group of inv.deleted) {
    lines.push(`  ${group.items[0]}, with ${group.items.length > 1 ? group.items.slice(1).join(', ') : 'nothing else'}`);
  }
  lines.push('', 'Kept (retained on purpose; they cost money while they exist):');
  let total = 0;
  let unknown = false;
  for (const k of inv.kept) {
    const cost = k.monthly === undefined ? '   ?  ' : `$${k.monthly.toFixed(2).padStart(5)}`;
    if (k.monthly === undefined) unknown = true;
    else total += k.monthly;
    lines.push(`  ${cost}/month  ${k.label}: ${k.why}; ${k.costNote}`);
  }
  lines.push(
    `  $${total.toFixed(2).padStart(5)}/month  in total${unknown ? ' (plus the costs marked ?)' : ''}, estimated from prices of ${inv.pricesAsOf} for ${inv.priceRegion}`,
  );
  return lines;
}
