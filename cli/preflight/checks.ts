/**
 * `shinykit preflight`: the checks that predict a failed `cdk deploy` before
 * CloudFormation gets there. Read-only: every call is a Describe/Get/List.
 * Each check returns one line and, when it fails, the fix. AWS clients are
 * injected (from the context's factory) so tests point them at moto_server.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import { cognitoDomainPrefix, identityProviderName, isDomainPrefixDerived, repositoryName, type Config } from '../../lib/config/index.js';
import { OutputKeys, stackNames } from '../../lib/outputs.js';
import type { CheckResult } from '../doctor/checks.js';
import { sdk } from '../lib/aws.js';
import type { DeployFacts } from './facts.js';

export interface PreflightClients {
  readonly sts: () => STSClient;
  readonly cloudformation: () => CloudFormationClient;
  readonly ssm: () => SSMClient;
  readonly cognito: () => CognitoIdentityProviderClient;
  readonly ec2: () => EC2Client;
  readonly ecr: () => ECRClient;
  readonly secretsManager: () => SecretsManagerClient;
  readonly route53: () => Route53Client;
  readonly iam: () => IAMClient;
}

export interface PreflightDeps extends PreflightClients {
  readonly config: Config;
  /** The region the stacks deploy to (for messages and the bootstrap command). */
  readonly region: string;
  readonly facts: DeployFacts;
  /** The CDK bootstrap stack's name (`cdk bootstrap --toolkit-stack-name`). @default CDKToolkit */
  readonly toolkitStackName?: string;
}

/** What the account already holds of this kit: its deployed stacks' resources. */
export interface KitState {
  readonly account: string;
  /** Physical ids by resource type, across the kit's deployed stacks. */
  readonly resources: ReadonlyMap<string, readonly string[]>;
  /** The deployed stacks (by name) and the StackId of each. */
  readonly stacks: ReadonlyMap<string, string>;
}

export interface PreflightCheck {
  readonly id: string;
  readonly title: string;
  /** Only run when this holds for the config (identity providers, hostedZone, backend: ecs). */
  readonly when?: (cfg: Config) => boolean;
  run(d: PreflightDeps, kit: KitState): Promise<Omit<CheckResult, 'id' | 'title'>>;
}

const ok = (detail: string) => ({ status: 'ok' as const, detail });
const fail = (detail: string, fix: string) => ({ status: 'fail' as const, detail, fix });
const warn = (detail: string, fix: string) => ({ status: 'warn' as const, detail, fix });

const errName = (err: unknown) => (err instanceof Error ? err.name : '');

/** The data and host stacks' resources, when deployed (a fresh account has neither). */
export async function readKitState(d: PreflightDeps, account: string): Promise<KitState> {
  const cf = sdk.cloudformation();
  const resources = new Map<string, string[]>();
  const stacks = new Map<string, string>();
  for (const name of Object.values(stackNames(d.config))) {
    let token: string | undefined;
    try {
      const described = await d.cloudformation().send(new cf.DescribeStacksCommand({ StackName: name }));
      const stack = described.Stacks?.[0];
      if (!stack || stack.StackStatus === 'DELETE_COMPLETE') continue;
      stacks.set(name, stack.StackId ?? name);
      // The outputs are the contract (DESIGN.md): the pool id is read there too.
      const poolId = stack.Outputs?.find((o) => o.OutputKey === OutputKeys.UserPoolId)?.OutputValue;
      if (poolId) resources.set('AWS::Cognito::UserPool', [...(resources.get('AWS::Cognito::UserPool') ?? []), poolId]);
      do {
        const page = await d.cloudformation().send(new cf.ListStackResourcesCommand({ StackName: name, NextToken: token }));
        for (const r of page.StackResourceSummaries ?? []) {
          if (!r.ResourceType || !r.PhysicalResourceId || r.ResourceStatus === 'DELETE_COMPLETE') continue;
          resources.set(r.ResourceType, [...(resources.get(r.ResourceType) ?? []), r.PhysicalResourceId]);
        }
        token = page.NextToken;
      } while (token);
    } catch (err) {
      if (/does not exist/.test((err as Error).message)) continue;
      throw err;
    }
  }
  return { account, resources, stacks };
}

export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [
  {
    id: 'bootstrap',
    title: 'CDK bootstrap stack present and recent enough',
    async run(d, kit) {
      const stackName = d.toolkitStackName ?? 'CDKToolkit';
      const bootstrap = `npx cdk bootstrap aws://${kit.account}/${d.region}`;
      try {
        await d.cloudformation().send(new (sdk.cloudformation().DescribeStacksCommand)({ StackName: stackName }));
      } catch (err) {
        if (!/does not exist/.test((err as Error).message)) throw err;
        return fail(`no ${stackName} stack in ${d.region}: this account/region was never bootstrapped for the CDK`, `run \`${bootstrap}\` once`);
      }
      let version: number;
      try {
        const p = await d.ssm().send(new (sdk.ssm().GetParameterCommand)({ Name: d.facts.bootstrapVersionParameter }));
        version = Number(p.Parameter?.Value);
      } catch (err) {
        if (errName(err) !== 'ParameterNotFound') throw err;
        return fail(
          `${stackName} exists but ${d.facts.bootstrapVersionParameter} does not (a custom qualifier, or a broken bootstrap)`,
          `run \`${bootstrap}\` again`,
        );
      }
      // The templates' CheckBootstrapVersion rule fails the deploy below this version.
      if (!(version >= d.facts.requiredBootstrapVersion)) {
        return fail(
          `bootstrap version ${Number.isNaN(version) ? '(unreadable)' : version}; these stacks need ${d.facts.requiredBootstrapVersion} or later`,
          `upgrade it: \`${bootstrap}\` (with the kit's pinned CDK CLI)`,
        );
      }
      return ok(`${stackName} version ${version} (the stacks need ${d.facts.requiredBootstrapVersion}+)`);
    },
  },
  {
    id: 'cognito-domain',
    title: 'Cognito domain prefix free or already this kit\'s',
    async run(d, kit) {
      const dataStackId = kit.stacks.get(stackNames(d.config).data);
      if (isDomainPrefixDerived(d.config) && !dataStackId) {
        // The derived prefix carries part of the data stack's id, known only once it exists.
        return ok(`${cognitoDomainPrefix(d.config)}: derived from the new data stack's id, so unique; nothing to check before the first deploy`);
      }
      const prefix = cognitoDomainPrefix(d.config, dataStackId);
      const res = await d.cognito().send(new (sdk.cognito().DescribeUserPoolDomainCommand)({ Domain: prefix }));
      const owner = res.DomainDescription?.UserPoolId;
      // No such domain: Cognito answers with an empty DomainDescription, not an error.
      if (!owner) return ok(`${prefix}.auth.${d.region}.amazoncognito.com is free`);
      const kitPools = kit.resources.get('AWS::Cognito::UserPool') ?? [];
      if (kitPools.includes(owner)) return ok(`${prefix} already belongs to this kit's pool ${owner}`);
      // Prefix domains are unique per region across all accounts.
      const account = res.DomainDescription?.AWSAccountId;
      return fail(
        `${prefix}.auth.${d.region}.amazoncognito.com is taken by user pool ${owner}${account ? ` (account ${account})` : ''}; creating the data stack would fail ("Domain already associated with another user pool")`,
        d.config.cognito.domainPrefix
          ? 'choose another cognito.domainPrefix in shinykit.yaml (unique in the region across all AWS accounts)'
          : 'the kit derived this prefix from the data stack\'s id; set cognito.domainPrefix in shinykit.yaml to a prefix of your own',
      );
    },
  },
  {
    id: 'elastic-ip-quota',
    title: 'Elastic IP quota has room',
    async run(d, kit) {
      const ec2 = sdk.ec2();
      // All attributes, filtered here: the documented AttributeName values vary by API version.
      const attrs = await d.ec2().send(new ec2.DescribeAccountAttributesCommand({}));
      const quota = Number(attrs.AccountAttributes?.find((a) => a.AttributeName === 'vpc-max-elastic-ips')?.AttributeValues?.[0]?.AttributeValue);
      const used = (await d.ec2().send(new ec2.DescribeAddressesCommand({}))).Addresses?.length ?? 0;
      const owned = kit.resources.get('AWS::EC2::EIP')?.length ?? 0;
      const needed = Math.max(0, d.facts.elasticIps - owned);
      if (Number.isNaN(quota)) return warn(`${used} Elastic IPs in use; the quota could not be read`, 'check Service Quotas (EC2, L-0263D0A3) in the console');
      const detail = `${used} of ${quota} Elastic IPs in use in ${d.region}; the deploy allocates ${needed}${owned ? ` (this kit already holds ${owned})` : ''}`;
      if (used + needed > quota) {
        return fail(
          detail,
          'release unused addresses (`aws ec2 describe-addresses`, then `aws ec2 release-address --allocation-id ...`) or request more in Service Quotas (EC2, "EC2-VPC Elastic IPs", L-0263D0A3)',
        );
      }
      return ok(detail);
    },
  },
  {
    id: 'instance-type',
    title: 'instance type offered where the host will run',
    async run(d) {
      const ec2 = sdk.ec2();
      const type = d.config.host.instanceType;
      const offers = await d.ec2().send(
        new ec2.DescribeInstanceTypeOfferingsCommand({ LocationType: 'availability-zone', Filters: [{ Name: 'instance-type', Values: [type] }] }),
      );
      const offered = new Set((offers.InstanceTypeOfferings ?? []).map((o) => o.Location));
      // The VPC's subnets sit in Fn::GetAZs's zones by index; Fn::GetAZs lists the
      // region's zones in alphabetical order (CloudFormation's Fn::GetAZs reference;
      // when only some zones have a default subnet it lists just those, which this
      // approximation ignores).
      const zones = await d.ec2().send(
        new ec2.DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }, { Name: 'state', Values: ['available'] }] }),
      );
      const names = (zones.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean).sort();
      const hostZone = names[d.facts.hostZoneIndex];
      const used = d.facts.zoneIndexes.map((i) => names[i]).filter((z): z is string => Boolean(z));
      const fix = `pick a type offered there (\`aws ec2 describe-instance-type-offerings --location-type availability-zone --region ${d.region}\`), such as t3.small, and set host.instanceType`;
      if (offered.size === 0) return fail(`${type} is not offered anywhere in ${d.region}`, fix);
      if (!hostZone || !offered.has(hostZone)) return fail(`${type} is not offered in ${hostZone ?? 'the first zone'}, where the host runs (offered in ${[...offered].sort().join(', ')})`, fix);
      const missing = used.filter((z) => !offered.has(z));
      if (missing.length > 0) return warn(`${type} is offered in ${hostZone} (the host's zone) but not in ${missing.join(', ')}`, 'nothing to do now; a host moved to that zone could not start');
      return ok(`${type} offered in ${used.join(', ')}`);
    },
  },
  {
    id: 'leftover-repositories',
    title: 'no leftover ECR repositories with the kit\'s names',
    async run(d, kit) {
      const ours = new Set(kit.resources.get('AWS::ECR::Repository') ?? []);
      const leftovers: string[] = [];
      for (const app of d.config.apps) {
        const name = repositoryName(d.config, app);
        try {
          await d.ecr().send(new (sdk.ecr().DescribeRepositoriesCommand)({ repositoryNames: [name] }));
          if (!ours.has(name)) leftovers.push(name);
        } catch (err) {
          if (errName(err) !== 'RepositoryNotFoundException') throw err;
        }
      }
      if (leftovers.length > 0) {
        return fail(
          `${leftovers.join(', ')} already exist${leftovers.length === 1 ? 's' : ''} outside stack ${stackNames(d.config).data} (kept from an earlier deploy?); CloudFormation would fail with "already exists"`,
          `keep the images: adopt the repositories into the stack with \`npx cdk import ${stackNames(d.config).data}\`; or, if the images are not needed, \`aws ecr delete-repository --force --repository-name <name>\``,
        );
      }
      return ok(`${d.config.apps.length} repository name(s) free or already the kit's`);
    },
  },
  {
    id: 'leftover-user-pools',
    title: 'no retained user pool from an earlier deploy',
    async run(d, kit) {
      const cognito = sdk.cognito();
      const ours = new Set(kit.resources.get('AWS::Cognito::UserPool') ?? []);
      const retained: string[] = [];
      let token: string | undefined;
      do {
        const page = await d.cognito().send(new cognito.ListUserPoolsCommand({ MaxResults: 60, NextToken: token }));
        for (const p of page.UserPools ?? []) {
          if (!p.Id || ours.has(p.Id)) continue;
          // ListUserPools has no tags; the kit tags every resource shinykit:project=<name>.
          const described = await d.cognito().send(new cognito.DescribeUserPoolCommand({ UserPoolId: p.Id }));
          if (described.UserPool?.UserPoolTags?.['shinykit:project'] === d.config.name) retained.push(p.Id);
        }
        token = page.NextToken;
      } while (token);
      if (retained.length > 0) {
        return warn(
          `user pool ${retained.join(', ')} is tagged shinykit:project=${d.config.name} but is not in the kit's stacks (retained by an earlier \`cdk destroy\` or failed deploy); a deploy creates a new, empty pool beside it`,
          'users, passwords and MFA enrolments cannot move between pools: if you need them, bring that pool back into the kit before deploying (`npx cdk import`); if not, turn off its deletion protection and delete it',
        );
      }
      return ok(ours.size ? `only the kit's own pool (${[...ours].join(', ')})` : 'none found');
    },
  },
  {
    id: 'identity-provider-secrets',
    title: 'identity providers\' client secrets exist in Secrets Manager',
    when: (cfg) => cfg.cognito.identityProviders.some((p) => p.type !== 'saml'),
    async run(d) {
      const missing: string[] = [];
      const found: string[] = [];
      for (const p of d.config.cognito.identityProviders) {
        if (p.type === 'saml') continue;
        try {
          // DescribeSecret: metadata only; the secret's value is never read.
          await d.secretsManager().send(new (sdk.secretsManager().DescribeSecretCommand)({ SecretId: p.clientSecretName }));
          found.push(p.clientSecretName);
        } catch (err) {
          if (errName(err) !== 'ResourceNotFoundException') throw err;
          missing.push(`${p.clientSecretName} (${identityProviderName(p)})`);
        }
      }
      if (missing.length > 0) {
        return fail(
          `not found in ${d.region}: ${missing.join(', ')}; CloudFormation could not resolve the provider's client secret`,
          `create it in this region, the value from a file so it stays out of your shell history: \`aws secretsmanager create-secret --name <name> --secret-string file://client-secret.txt\``,
        );
      }
      return ok(`found ${found.join(', ')}`);
    },
  },
  {
    id: 'hosted-zone',
    title: 'hosted zone exists',
    when: (cfg) => cfg.hostedZone !== undefined,
    async run(d) {
      const zone = `${d.config.hostedZone}.`;
      const res = await d.route53().send(new (sdk.route53().ListHostedZonesByNameCommand)({ DNSName: zone, MaxItems: 10 }));
      const matches = (res.HostedZones ?? []).filter((z) => z.Name === zone && !z.Config?.PrivateZone);
      if (matches.length === 0) {
        return fail(`no public Route 53 hosted zone named ${d.config.hostedZone} in this account`, `create it (\`aws route53 create-hosted-zone --name ${d.config.hostedZone} --caller-reference $(date +%s)\`) and delegate the domain to its name servers, or remove hostedZone and create the DNS record yourself`);
      }
      // The record names its zone by name; CloudFormation refuses when two public zones share it.
      if (matches.length > 1) {
        return fail(`${matches.length} public hosted zones are named ${d.config.hostedZone}; CloudFormation cannot tell which one the record belongs to`, 'delete the unused zone, or remove hostedZone and create the DNS record yourself');
      }
      return ok(`${d.config.hostedZone} (${matches[0]!.Id?.replace('/hostedzone/', '')})`);
    },
  },
  {
    id: 'ecs-service-linked-role',
    title: 'ECS service-linked role exists',
    when: (cfg) => cfg.backend === 'ecs',
    async run(d) {
      try {
        await d.iam().send(new (sdk.iam().GetRoleCommand)({ RoleName: 'AWSServiceRoleForECS' }));
        return ok('AWSServiceRoleForECS');
      } catch (err) {
        if (errName(err) !== 'NoSuchEntityException' && errName(err) !== 'NoSuchEntity') throw err;
      }
      // The account's first ECS cluster can fail while ECS creates this role
      // (aws-cloudformation/cloudformation-coverage-roadmap#818); the host stack
      // creates it before the cluster (lib/constructs/ecs-apps.ts), which needs
      // iam:CreateServiceLinkedRole for the deploying role (cdk bootstrap's default has it).
      return warn(
        'AWSServiceRoleForECS does not exist yet; the host stack creates it before the ECS cluster',
        'nothing, if the deploy may call iam:CreateServiceLinkedRole; otherwise create it once: `aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com`',
      );
    },
  },
];
