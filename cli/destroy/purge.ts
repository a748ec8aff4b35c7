/**
 * The AWS side of `shinykit destroy`: reading how big the kept resources are, and
 * `--purge`, which removes them after `cdk destroy` has deleted the stacks.
 *
 * AWS rules this follows (each from the service's API reference):
 * - Cognito refuses DeleteUserPool while deletion protection is ACTIVE
 *   ("InvalidParameterException: The user pool cannot be deleted because deletion
 *   protection is activated"), so UpdateUserPool sets it INACTIVE first. UpdateUserPool
 *   resets settings it is not given to their defaults; harmless right before deletion.
 *   A pool that still has a hosted domain cannot be deleted either: the domain goes first.
 * - ECR's DeleteRepository refuses a repository that holds images unless `force` is set.
 * - An Elastic IP is released by its allocation id (ReleaseAddress), found from the
 *   public address with DescribeAddresses.
 * - SSM DeleteParameters takes at most 10 names per call.
 * Each step treats "already gone" as done, so a purge that stopped half way can be re-run.
 */
import type { AwsClients } from '../lib/aws.js';
import { sdk } from '../lib/aws.js';
import type { KeptResource, LiveDetails } from './inventory.js';

/** Best effort: counts and sizes for the listing; a failed lookup leaves its field out. */
export async function readLiveDetails(aws: AwsClients, kept: readonly KeptResource[]): Promise<LiveDetails> {
  const details: { users?: number; images?: Map<string, { count: number; bytes: number }>; parameters?: string[] } = {};
  const pool = kept.find((k) => k.kind === 'user-pool');
  if (pool) {
    try {
      const res = await aws.cognito().send(new (sdk.cognito().DescribeUserPoolCommand)({ UserPoolId: pool.id }));
      details.users = res.UserPool?.EstimatedNumberOfUsers;
    } catch {
      // the listing says less; destroy itself does not depend on it
    }
  }
  const images = new Map<string, { count: number; bytes: number }>();
  for (const repo of kept.filter((k) => k.kind === 'repository')) {
    try {
      images.set(repo.id, await repositoryImages(aws, repo.id));
    } catch {
      // unknown size: the listing shows '?'
    }
  }
  details.images = images;
  const params = kept.find((k) => k.kind === 'parameters');
  if (params) {
    try {
      details.parameters = await parameterNames(aws, params.id);
    } catch {
      // count unknown
    }
  }
  return details;
}

async function repositoryImages(aws: AwsClients, repositoryName: string): Promise<{ count: number; bytes: number }> {
  const { DescribeImagesCommand } = sdk.ecr();
  let count = 0;
  let bytes = 0;
  let nextToken: string | undefined;
  do {
    const res = await aws.ecr().send(new DescribeImagesCommand({ repositoryName, nextToken }));
    for (const image of res.imageDetails ?? []) {
      count++;
      bytes += image.imageSizeInBytes ?? 0;
    }
    nextToken = res.nextToken;
  } while (nextToken);
  return { count, bytes };
}

async function parameterNames(aws: AwsClients, path: string): Promise<string[]> {
  const { GetParametersByPathCommand } = sdk.ssm();
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const res = await aws.ssm().send(new GetParametersByPathCommand({ Path: path, Recursive: true, NextToken }));
    for (const p of res.Parameters ?? []) if (p.Name) names.push(p.Name);
    NextToken = res.NextToken;
  } while (NextToken);
  return names;
}

export interface PurgeStep {
  readonly label: string;
  readonly outcome: 'deleted' | 'already gone' | 'left alone';
  readonly note?: string;
}

/** Removes each kept resource; returns what happened to each. Throws on the first AWS failure. */
export async function purge(aws: AwsClients, kept: readonly KeptResource[], log: (line: string) => void = () => {}): Promise<PurgeStep[]> {
  const steps: PurgeStep[] = [];
  for (const k of kept) {
    log(`removing ${k.label}`);
    const step = await purgeOne(aws, k);
    steps.push(step);
  }
  return steps;
}

async function purgeOne(aws: AwsClients, k: KeptResource): Promise<PurgeStep> {
  const gone = (): PurgeStep => ({ label: k.label, outcome: 'already gone' });
  const done = (note?: string): PurgeStep => ({ label: k.label, outcome: 'deleted', note });
  switch (k.kind) {
    case 'user-pool': {
      const c = sdk.cognito();
      let domain: string | undefined;
      try {
        domain = (await aws.cognito().send(new c.DescribeUserPoolCommand({ UserPoolId: k.id }))).UserPool?.Domain;
      } catch (err) {
        if (isNotFound(err)) return gone();
        throw err;
      }
      if (domain) await aws.cognito().send(new c.DeleteUserPoolDomainCommand({ UserPoolId: k.id, Domain: domain }));
      await aws.cognito().send(new c.UpdateUserPoolCommand({ UserPoolId: k.id, DeletionProtection: 'INACTIVE' }));
      await aws.cognito().send(new c.DeleteUserPoolCommand({ UserPoolId: k.id }));
      return done('deletion protection turned off first');
    }
    case 'repository': {
      try {
        await aws.ecr().send(new (sdk.ecr().DeleteRepositoryCommand)({ repositoryName: k.id, force: true }));
        return done();
      } catch (err) {
        if (isNotFound(err)) return gone();
        throw err;
      }
    }
    case 'address': {
      const e = sdk.ec2();
      let allocationId: string | undefined;
      try {
        const res = await aws.ec2().send(new e.DescribeAddressesCommand({ PublicIps: [k.id] }));
        allocationId = res.Addresses?.[0]?.AllocationId;
      } catch (err) {
        if (isNotFound(err)) return gone();
        throw err;
      }
      if (!allocationId) return gone();
      await aws.ec2().send(new e.ReleaseAddressCommand({ AllocationId: allocationId }));
      return done();
    }
    case 'parameters': {
      const names = await parameterNames(aws, k.id);
      if (names.length === 0) return gone();
      for (let i = 0; i < names.length; i += 10) {
        await aws.ssm().send(new (sdk.ssm().DeleteParametersCommand)({ Names: names.slice(i, i + 10) }));
      }
      return done(`${names.length} parameter${names.length === 1 ? '' : 's'}`);
    }
    default:
      return { label: k.label, outcome: 'left alone', note: 'shinykit does not know how to remove this type; delete it in the AWS console' };
  }
}

/** The "it does not exist" answers of Cognito, ECR and EC2. */
function isNotFound(err: unknown): boolean {
  const name = err instanceof Error ? err.name : '';
  return /ResourceNotFound|RepositoryNotFound|InvalidAddress\.NotFound|InvalidIPAddress\.NotFound|AuthFailure\.AddressNotFound/.test(name) ||
    (err instanceof Error && /does not exist|not found/i.test(err.message) && /NotFound|InvalidParameter/.test(name));
}
