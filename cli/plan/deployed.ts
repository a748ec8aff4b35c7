/**
 * `plan` against the running kit: read each deployed stack's template
 * (CloudFormation GetTemplate), diff it against the new synthesis
 * (cli/plan/changes.ts), and gather the facts that make the findings concrete:
 * how many users are in each group a deploy would delete (ListUsersInGroup),
 * and which repositories a deploy would create already exist (DescribeRepositories).
 * Read-only. Any failure to reach AWS means "could not compare", never a failed plan.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { parse as parseYaml } from 'yaml';
import { OutputKeys } from '../../lib/outputs.js';
import { sdk } from '../lib/aws.js';
import { analyzeChanges, type ChangeFinding, type ResourceChange, type StackTemplates } from './changes.js';
import type { SynthesizedStack } from './synth.js';
import type { CfnTemplate } from './template.js';

export interface DeployedDeps {
  readonly cloudformation: () => CloudFormationClient;
  readonly cognito: () => CognitoIdentityProviderClient;
  readonly ecr: () => ECRClient;
}

export type DeployedComparison =
  | {
      readonly compared: true;
      /** Each stack and whether it is deployed (a stack that is not gets created). */
      readonly stacks: ReadonlyArray<{ readonly stack: string; readonly deployed: boolean }>;
      readonly findings: readonly ChangeFinding[];
      readonly changes: readonly ResourceChange[];
    }
  | { readonly compared: false; readonly reason: string };

export async function compareWithDeployed(stacks: readonly SynthesizedStack[], deps: DeployedDeps): Promise<DeployedComparison> {
  const cf = sdk.cloudformation();
  const pairs: StackTemplates[] = [];
  let userPoolId: string | undefined;
  try {
    for (const s of stacks) {
      let current: CfnTemplate | undefined;
      try {
        const res = await deps.cloudformation().send(new cf.GetTemplateCommand({ StackName: s.name, TemplateStage: 'Original' }));
        current = parseTemplate(res.TemplateBody ?? '{}');
        const described = await deps.cloudformation().send(new cf.DescribeStacksCommand({ StackName: s.name }));
        userPoolId ??= described.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === OutputKeys.UserPoolId)?.OutputValue;
      } catch (err) {
        if (!/does not exist/.test((err as Error).message)) throw err;
      }
      pairs.push({ stack: s.name, current, next: s.template });
    }
  } catch (err) {
    return { compared: false, reason: reasonOf(err) };
  }

  // First pass: which groups and repositories matter; then ask only about those.
  const first = analyzeChanges(pairs);
  const groups = [...new Set(first.findings.flatMap((f) => (f.group ? [f.group] : [])))];
  const created = first.changes.filter((c) => c.resourceType === 'AWS::ECR::Repository' && c.impact === 'WILL_CREATE');
  const newRepoNames = created.flatMap((c) => {
    const name = pairs.find((p) => p.stack === c.stack)?.next.Resources?.[c.logicalId]?.Properties?.RepositoryName;
    return typeof name === 'string' ? [name] : [];
  });
  try {
    const groupMembers: Record<string, number> = {};
    if (userPoolId) for (const g of groups) groupMembers[g] = await countMembers(deps.cognito(), userPoolId, g);
    const existingRepositories = await existingRepos(deps.ecr(), newRepoNames);
    const { findings, changes } = analyzeChanges(pairs, { groupMembers, existingRepositories });
    return { compared: true, stacks: pairs.map((p) => ({ stack: p.stack, deployed: p.current !== undefined })), findings, changes };
  } catch (err) {
    return { compared: false, reason: reasonOf(err) };
  }
}

/** Members of a group, every page of ListUsersInGroup. */
async function countMembers(cognito: CognitoIdentityProviderClient, userPoolId: string, group: string): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    try {
      const page = await cognito.send(new (sdk.cognito().ListUsersInGroupCommand)({ UserPoolId: userPoolId, GroupName: group, Limit: 60, NextToken: token }));
      n += page.Users?.length ?? 0;
      token = page.NextToken;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return 0; // declared, never deployed
      throw err;
    }
  } while (token);
  return n;
}

async function existingRepos(ecr: ECRClient, names: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    try {
      await ecr.send(new (sdk.ecr().DescribeRepositoriesCommand)({ repositoryNames: [name] }));
      out.push(name);
    } catch (err) {
      if ((err as Error).name !== 'RepositoryNotFoundException') throw err;
    }
  }
  return out;
}

/** CDK deploys JSON; a stack edited by hand may hold YAML (without short-form tags). */
function parseTemplate(body: string): CfnTemplate {
  try {
    return JSON.parse(body) as CfnTemplate;
  } catch {
    return parseYaml(body) as CfnTemplate;
  }
}

function reasonOf(err: unknown): string {
  const e = err as Error;
  const text = `${e?.name ?? ''}: ${e?.message ?? String(err)}`;
  if (/CredentialsProviderError|Could not load credentials|ExpiredToken|UnrecognizedClient|InvalidClientTokenId/i.test(text)) {
    return 'no usable AWS credentials (set --profile or AWS_PROFILE, or run `aws sso login`, to compare with the deployed stacks)';
  }
  if (/Region is missing/i.test(text)) return 'no AWS region (set region in shinykit.yaml, --region or AWS_REGION)';
  if (/AccessDenied|NotAuthorized/i.test(text)) return `the credentials may not read the deployed stacks (${e.message})`;
  return `AWS could not be reached (${e?.message ?? String(err)})`;
}

/** The comparison as plan's text lines (a section of its own). */
export function formatDeployed(d: DeployedComparison): string[] {
  if (!d.compared) return [`  Not compared with a deployment: ${d.reason}.`, '  What follows is what a fresh deploy would create.'];
  const lines: string[] = [];
  const fresh = d.stacks.filter((s) => !s.deployed).map((s) => s.stack);
  const live = d.stacks.filter((s) => s.deployed).map((s) => s.stack);
  if (live.length === 0) return [`  None of ${fresh.join(', ')} is deployed yet: a deploy creates everything below. Run \`shinykit preflight\` first.`];
  lines.push(`  Compared with the deployed ${live.join(', ')} (CloudFormation GetTemplate)${fresh.length ? `; ${fresh.join(', ')} would be created` : ''}.`);
  const counts = new Map<string, number>();
  for (const c of d.changes) counts.set(c.impact, (counts.get(c.impact) ?? 0) + 1);
  lines.push(
    d.changes.length === 0
      ? '  No resource would change.'
      : `  Resources that would change: ${[...counts].map(([impact, n]) => `${n} ${impact.toLowerCase().replace('will_', '').replace('_', ' ')}`).join(', ')}.`,
  );
  if (d.findings.length === 0) {
    lines.push('  Nothing that holds users, memberships, images, the address or open sessions would be lost, and nothing would be refused.');
    return lines;
  }
  const label = { refused: 'WOULD FAIL', 'data-loss': 'LOSES DATA', disruption: 'DISRUPTS' } as const;
  for (const kind of ['refused', 'data-loss', 'disruption'] as const) {
    for (const f of d.findings.filter((x) => x.kind === kind)) {
      lines.push(`  ${label[kind]}: ${f.summary}.`);
      if (f.safePath) lines.push(`    safer: ${f.safePath}`);
    }
  }
  return lines;
}
