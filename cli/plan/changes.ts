/**
 * What a deploy would do to a running kit, in the user's terms: the deployed
 * templates diffed against the new synthesis with the CDK's own diff engine
 * (`@aws-cdk/cloudformation-diff`, the library behind `cdk diff`), then every
 * change to something that holds state — users and their groups, images, the
 * address, the host and its sessions — turned into a finding with its cost
 * and, where one exists, a safe path. Pure: the member counts and the
 * account's repositories come in as facts (cli/plan/deployed.ts reads them).
 */
import { fullDiff, ResourceImpact, type ResourceDifference } from '@aws-cdk/cloudformation-diff';
import { refusedUserPoolChanges, type RefusedChange } from '../../lib/cognito-changes.js';
import { HOST_STORAGE_METADATA_KEY, type HostStorageApp } from '../../lib/config/index.js';
import type { CfnTemplate } from './template.js';

export type FindingKind =
  /** Cognito or CloudFormation will reject the update: the deploy fails halfway and rolls back. */
  | 'refused'
  /** Users, memberships, images or the address are lost or left behind. */
  | 'data-loss'
  /** Service interruption: the host is replaced. */
  | 'disruption';

export interface ChangeFinding {
  readonly kind: FindingKind;
  /** A stable name for what happens, for --json and tests. */
  readonly code:
    | 'group-deleted'
    | 'group-replaced'
    | 'repository-orphaned'
    | 'repository-deleted'
    | 'repository-exists'
    | 'custom-name-replaced'
    | RefusedChange['code']
    | 'user-pool-replaced'
    | 'user-pool-removed'
    | 'address-replaced'
    | 'host-replaced'
    | 'log-group-deleted'
    | 'stateful-change';
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  /** The diff engine's verdict for the resource (WILL_REPLACE, WILL_DESTROY, ...). */
  readonly impact: string;
  /** One sentence: what happens, in the user's terms. */
  readonly summary: string;
  /** What to do instead, when there is a safer way. */
  readonly safePath?: string;
  readonly group?: string;
  /** Members of the group now (ListUsersInGroup); undefined when unknown. */
  readonly members?: number;
  readonly repository?: string;
  /** Apps whose saved storage a host replacement deletes. */
  readonly storageApps?: readonly string[];
}

/** One resource the deploy would change, as the diff engine sees it. */
export interface ResourceChange {
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly impact: string;
}

export interface StackTemplates {
  readonly stack: string;
  /** The deployed template; undefined when the stack does not exist yet. */
  readonly current?: CfnTemplate;
  readonly next: CfnTemplate;
}

export interface ChangeFacts {
  /** Members per Cognito group name in the deployed pool. */
  readonly groupMembers?: Readonly<Record<string, number>>;
  /** ECR repository names that exist in the account and region. */
  readonly existingRepositories?: readonly string[];
}

export interface ChangeAnalysis {
  readonly findings: readonly ChangeFinding[];
  /** Every resource that would be created, updated, replaced, destroyed or orphaned. */
  readonly changes: readonly ResourceChange[];
}

/**
 * Resource types that hold something a user would miss: every replacement or
 * removal of one of these yields a finding (a generic one if no rule below
 * says more). The config-transition test holds the analysis to that.
 */
export const STATEFUL_TYPES: readonly string[] = [
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolGroup',
  'AWS::Cognito::UserPoolDomain',
  'AWS::ECR::Repository',
  'AWS::EC2::EIP',
  'AWS::EC2::Instance',
  'AWS::Logs::LogGroup',
  // backend: ecs app storage (lib/constructs/efs-storage.ts).
  'AWS::EFS::FileSystem',
];

const LOSING: readonly string[] = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN];

/** Properties that give a resource a fixed name: CloudFormation cannot replace such a resource in place. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::Logs::LogGroup': 'LogGroupName',
};

export function analyzeChanges(stacks: readonly StackTemplates[], facts: ChangeFacts = {}): ChangeAnalysis {
  const findings: ChangeFinding[] = [];
  const changes: ResourceChange[] = [];
  for (const s of stacks) {
    if (!s.current) continue; // a new stack: everything is created, nothing is lost
    const diff = fullDiff(s.current, s.next);
    // What Cognito refuses on a live pool (a new domain prefix, a custom attribute
    // removed or changed) is judged by lib/cognito-changes.ts, shared with the stacks' tests.
    const refused = refusedUserPoolChanges(s.current, s.next);
    const currentRepos = new Set(namesOf(s.current, 'AWS::ECR::Repository', 'RepositoryName'));
    const natAddresses = natGatewayAddresses(s.current);
    const addedInstances = diff.resources.filter((r) => r?.isAddition === true && r.newResourceType === 'AWS::EC2::Instance');
    const addedHostMetadata: unknown[] = [];
    addedInstances.forEachDifference((_id: string, r: ResourceDifference) => addedHostMetadata.push(r.newValue?.Metadata));
    diff.resources.forEachDifference((logicalId: string, r: ResourceDifference) => {
      const impact = r.changeImpact;
      if (impact === ResourceImpact.NO_CHANGE) return;
      const resourceType = (r.oldResourceType ?? r.newResourceType)!;
      changes.push({ stack: s.stack, logicalId, resourceType, impact });
      const at = { stack: s.stack, logicalId, resourceType, impact };
      const before = findings.length;
      for (const x of refused.filter((x) => x.logicalId === logicalId)) {
        findings.push({ ...at, kind: 'refused', code: x.code, summary: x.message, safePath: x.fix });
      }
      for (const f of ruleFindings(r, { ...at, facts, currentRepos, natAddresses, hostAdded: addedInstances.differenceCount > 0, addedHostMetadata })) findings.push(f);
      if (findings.length === before && STATEFUL_TYPES.includes(resourceType) && LOSING.includes(impact) && !natAddresses.has(logicalId)) {
        findings.push({
          ...at,
          kind: 'data-loss',
          code: 'stateful-change',
          summary: `${resourceType} ${logicalId} would be ${verb(impact)}; what it holds does not carry over`,
        });
      }
    });
  }
  return { findings, changes };
}

interface RuleContext {
  readonly stack: string;
  readonly logicalId: string;
  readonly resourceType: string;
  readonly impact: ResourceImpact;
  readonly facts: ChangeFacts;
  readonly currentRepos: ReadonlySet<string>;
  readonly hostAdded: boolean;
  /** Metadata of the instances the deploy adds (a host whose user data changed gets a new logical id). */
  readonly addedHostMetadata: readonly unknown[];
  /** Logical ids of Elastic IPs that a NAT gateway uses in the deployed template. */
  readonly natAddresses: ReadonlySet<string>;
}

function ruleFindings(r: ResourceDifference, c: RuleContext): ChangeFinding[] {
  const at = { stack: c.stack, logicalId: c.logicalId, resourceType: c.resourceType, impact: c.impact };
  const removed = c.impact === ResourceImpact.WILL_DESTROY || c.impact === ResourceImpact.WILL_ORPHAN;
  const replaced = c.impact === ResourceImpact.WILL_REPLACE || c.impact === ResourceImpact.MAY_REPLACE;
  const oldProps = (r.oldValue?.Properties ?? {}) as Record<string, unknown>;
  const newProps = (r.newValue?.Properties ?? {}) as Record<string, unknown>;
  const out: ChangeFinding[] = [];

  // A fixed-name resource can only be replaced under a new name: CloudFormation
  // stops with "cannot update a stack when a custom-named resource requires replacing".
  const nameProp = NAME_PROPERTY[c.resourceType];
  if (replaced && nameProp && oldProps[nameProp] !== undefined && sameValue(oldProps[nameProp], newProps[nameProp])) {
    out.push({
      ...at,
      kind: 'refused',
      code: 'custom-name-replaced',
      summary: `${c.resourceType} ${String(oldProps[nameProp])} would need replacing, which CloudFormation refuses for a resource with a fixed name; the deploy would fail`,
      safePath: 'undo the change to this resource\'s settings; to change them for real, delete or rename the resource first',
    });
    return out;
  }

  switch (c.resourceType) {
    case 'AWS::Cognito::UserPoolGroup': {
      if (!removed && !replaced) break;
      const group = String(oldProps.GroupName ?? c.logicalId);
      const members = c.facts.groupMembers?.[group];
      const who = members === undefined ? 'all its members' : members === 0 ? 'no members today' : `its ${members} member${members === 1 ? '' : 's'}`;
      out.push({
        ...at,
        kind: 'data-loss',
        code: removed ? 'group-deleted' : 'group-replaced',
        group,
        members,
        summary: removed
          ? c.impact === ResourceImpact.WILL_ORPHAN
            ? `group ${group} leaves the kit (kept in the pool, but it opens no app); ${who}`
            : `group ${group} would be deleted with ${who === 'no members today' ? 'no members (none today)' : `${who}' memberships`}`
          : `group ${group} would be replaced by an empty one: ${who} lose${members === 1 ? 's' : ''} it`,
        safePath: removed
          ? `to rename it without losing members: declare the new group next to ${group} in shinykit.yaml, deploy, run \`shinykit groups rename ${group} <new>\` (copies the members), then remove ${group} and deploy. Or keep ${group} in cognito.groups.`
          : undefined,
      });
      break;
    }
    case 'AWS::ECR::Repository': {
      const name = String(oldProps.RepositoryName ?? newProps.RepositoryName ?? c.logicalId);
      if (c.impact === ResourceImpact.WILL_CREATE) {
        // Retained repositories outlive their stack entry: re-adding an app id collides.
        if (c.facts.existingRepositories?.includes(name) && !c.currentRepos.has(name)) {
          out.push({
            ...at,
            kind: 'refused',
            code: 'repository-exists',
            repository: name,
            summary: `repository ${name} already exists outside the stack (kept when its app was removed); creating it again fails with "already exists"`,
            safePath: `adopt it with \`npx cdk import ${c.stack}\` (its images are kept), or delete it if its images are not needed: \`aws ecr delete-repository --force --repository-name ${name}\``,
          });
        }
        break;
      }
      if (!removed) break;
      out.push(
        c.impact === ResourceImpact.WILL_ORPHAN
          ? {
              ...at,
              kind: 'data-loss',
              code: 'repository-orphaned',
              repository: name,
              summary: `repository ${name} would be left behind: its images stay (and keep costing storage) but the kit no longer manages it, and re-adding this app later fails until it is imported or deleted`,
              safePath: `keep the app in shinykit.yaml if it may come back; otherwise, after the deploy, delete the repository once its images are not needed: \`aws ecr delete-repository --force --repository-name ${name}\``,
            }
          : {
              ...at,
              kind: 'data-loss',
              code: 'repository-deleted',
              repository: name,
              summary: `repository ${name} would be deleted with every image in it`,
            },
      );
      break;
    }
    case 'AWS::Cognito::UserPool': {
      if (removed || replaced) {
        out.push({
          ...at,
          kind: 'data-loss',
          code: removed ? 'user-pool-removed' : 'user-pool-replaced',
          summary: removed
            ? 'the user pool would leave the stack: every user, password and MFA enrolment stays in a pool the kit no longer uses'
            : 'the user pool would be replaced by a new, empty one: every user, password and MFA enrolment stays behind in the old pool',
          safePath: 'undo the config change that causes this',
        });
        break;
      }
      break;
    }
    case 'AWS::EC2::EIP': {
      if (!removed && !replaced) break;
      // A NAT gateway's address (backend: ecs with egress nat) goes with its gateway:
      // nothing outside points at it. Only the site's address matters.
      if (c.natAddresses.has(c.logicalId)) break;
      out.push({
        ...at,
        kind: 'data-loss',
        code: 'address-replaced',
        summary: 'the Elastic IP would be replaced: the site gets a new address, and DNS records and allow-lists pointing at the old one break',
        safePath: 'undo the change',
      });
      break;
    }
    case 'AWS::Logs::LogGroup': {
      if (!removed && !replaced) break;
      const name = show(oldProps.LogGroupName) || c.logicalId;
      out.push({
        ...at,
        kind: 'data-loss',
        code: 'log-group-deleted',
        summary:
          c.impact === ResourceImpact.WILL_ORPHAN
            ? `log group ${name} would leave the stack (kept, with its logs, but no longer managed)`
            : `log group ${name} would be ${replaced ? 'replaced' : 'deleted'} with the logs in it`,
        safePath: 'export the logs you need first (CloudWatch Logs console, or `aws logs create-export-task`)',
      });
      break;
    }
    case 'AWS::EC2::Instance': {
      // The host's logical id carries a hash of its user data, so a change there is
      // a remove and an add, not a replacement in the diff.
      if (!replaced && !(removed && c.hostAdded)) break;
      const storage = hostStorageOf(r, c.addedHostMetadata);
      if (storage.length > 0) {
        out.push(hostStorageLost(at, storage, c.impact === ResourceImpact.MAY_REPLACE));
        break;
      }
      out.push({
        ...at,
        kind: 'disruption',
        code: 'host-replaced',
        summary:
          c.impact === ResourceImpact.MAY_REPLACE
            ? 'the host may be replaced (CloudFormation decides at deploy; at the least it is stopped and started): open app sessions are dropped and the site is down for minutes; if replaced, the new host installs from scratch, obtains its TLS certificate again and needs `shinykit apply`'
            : 'the host would be replaced: open app sessions are dropped, the site is down while the new host boots and installs (several minutes), the TLS certificate is obtained again, and `shinykit apply` delivers the config to the new host',
        safePath: 'deploy at a quiet time; nothing is lost: users, images and the address live in the data stack',
      });
      break;
    }
  }
  return out;
}

/**
 * The apps whose storage is on the host's disk, from the instance's shinykit:storage metadata
 * in the deployed and the new template (either may list an app: storage added since the last
 * deploy reaches the host through `apply`, so the new config counts too).
 */
function hostStorageOf(r: ResourceDifference, addedMetadata: readonly unknown[]): HostStorageApp[] {
  const byId = new Map<string, HostStorageApp>();
  for (const metadata of [r.oldValue?.Metadata, r.newValue?.Metadata, ...addedMetadata]) {
    const apps = (metadata as Record<string, { apps?: unknown }> | undefined)?.[HOST_STORAGE_METADATA_KEY]?.apps;
    if (!Array.isArray(apps)) continue;
    for (const a of apps as HostStorageApp[]) if (typeof a?.id === 'string' && !byId.has(a.id)) byId.set(a.id, a);
  }
  return [...byId.values()];
}

/** A host replacement that deletes apps' saved data: data loss, named per app. */
function hostStorageLost(at: Omit<ChangeFinding, 'kind' | 'code' | 'summary'>, storage: readonly HostStorageApp[], maybe: boolean): ChangeFinding {
  const apps = storage.map((a) => `${a.id} (${a.scope === 'user' ? "every user's files" : 'its shared files'})`).join(', ');
  return {
    ...at,
    kind: 'data-loss',
    code: 'host-replaced',
    storageApps: storage.map((a) => a.id),
    summary:
      `the host ${maybe ? 'may be replaced (CloudFormation decides at deploy)' : 'would be replaced'}, and its disk with it: ` +
      `the saved storage of ${apps} is deleted; open sessions are dropped and the site is down while the new host installs`,
    safePath:
      'snapshot the host\'s disk before deploying and copy the shinykit_* volumes back onto the new host ' +
      '(README, "Storage that persists"), or undo the change that replaces the host',
  };
}

/** Elastic IPs whose AllocationId a NAT gateway takes (`Fn::GetAtt [<eip>, AllocationId]`). */
export function natGatewayAddresses(t: CfnTemplate): Set<string> {
  const out = new Set<string>();
  for (const r of Object.values(t.Resources ?? {})) {
    if (r.Type !== 'AWS::EC2::NatGateway') continue;
    const att = (r.Properties?.AllocationId as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    if (att) out.add(att[0]);
  }
  return out;
}

function namesOf(t: CfnTemplate, type: string, prop: string): string[] {
  return Object.values(t.Resources ?? {})
    .filter((r) => r.Type === type && typeof r.Properties?.[prop] === 'string')
    .map((r) => r.Properties![prop] as string);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(v: unknown): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

function verb(impact: string): string {
  return (
    {
      [ResourceImpact.WILL_REPLACE]: 'replaced',
      [ResourceImpact.MAY_REPLACE]: 'possibly replaced',
      [ResourceImpact.WILL_DESTROY]: 'deleted',
      [ResourceImpact.WILL_ORPHAN]: 'removed from the stack (kept, unmanaged)',
    } as Record<string, string>
  )[impact] ?? impact.toLowerCase();
}
