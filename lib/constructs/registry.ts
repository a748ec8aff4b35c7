/**
 * Registry: one private ECR repository per app, named `<name>/<app-id>`.
 *
 * Repositories are retained on stack deletion (they hold the images users run)
 * but not when the stack's first create rolls back (`RetainExceptOnCreate`: an empty
 * repository left behind would make the retry fail on its fixed name),
 * tags are immutable (a tag always means the same image) and pushed images are
 * scanned for known vulnerabilities.
 */
import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';
import { repositoryName, type Config } from '../config/index.js';

export interface RegistryProps {
  readonly config: Config;
  /** How many of the most recent images each repository keeps. @default 30 */
  readonly keepImages?: number;
}

export class Registry extends Construct {
  /** The app's repository, by app id. */
  readonly repositories: ReadonlyMap<string, ecr.Repository>;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const keep = props.keepImages ?? 30;
    const repos = new Map<string, ecr.Repository>();
    for (const app of props.config.apps) {
      const repo = new ecr.Repository(this, `Repo-${app.id}`, {
        repositoryName: repositoryName(props.config, app),
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        emptyOnDelete: false,
        lifecycleRules: [
          {
            rulePriority: 1,
            description: `Keep the ${keep} most recent images`,
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: keep,
          },
        ],
      });
      // CDK leaves AES-256 (the ECR default) out of the template; state it so the
      // encryption is visible and checked.
      (repo.node.defaultChild as ecr.CfnRepository).addPropertyOverride('EncryptionConfiguration', { EncryptionType: 'AES256' });
      repos.set(app.id, repo);
    }
    this.repositories = repos;
  }
}

/**
 * The ARN of a repository by name, built from the stack's partition, region and
 * account. The host stack uses it instead of a cross-stack reference, so adding
 * or removing an app never trips over an export still in use.
 */
export function repositoryArn(stack: Stack, name: string): string {
  return stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: name });
}
