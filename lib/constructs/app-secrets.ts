/**
 * Read access to exactly the secrets shinykit.yaml references (apps[].secrets), for the one
 * role that resolves them: the host's role with the Docker backend (shinykit-apply reads them),
 * the ECS task execution role with `backend: ecs` (the ECS agent reads them when a task starts).
 *
 * Resources, as AWS documents them:
 * - Parameter Store: `arn:<partition>:ssm:<region>:<account>:parameter/<name without its leading />`;
 *   the host calls GetParameter, the ECS agent GetParameters.
 * - Secrets Manager: a secret's ARN ends in "-" and 6 random characters; by ARN the grant is that
 *   ARN, by name `secret:<name>-??????` (the pattern the Secrets Manager user guide recommends:
 *   "-*" would also match other secrets whose names start with this one plus a hyphen).
 * - No kms: statement: SecureStrings under the AWS managed key aws/ssm and secrets under
 *   aws/secretsmanager are decrypted by the service for any principal of the account allowed to
 *   read them. A customer managed key must grant kms:Decrypt to the role in its key policy (docs/secrets.md).
 */
import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { appSecrets, type Config, type SecretRef } from '../config/index.js';
import { nagArn } from './host.js';

/** The IAM resource that lets a role read one reference (an ARN, with ?????? for a secret named without its suffix). */
export function secretResourceArn(stack: Stack, ref: SecretRef): string {
  if (ref.arn) return ref.arn;
  if (ref.service === 'ssm') return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: ref.name.replace(/^\//, '') });
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${ref.name}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** Every reference in the config, once each (two apps may share one). */
function referencedSecrets(cfg: Config): SecretRef[] {
  const seen = new Map<string, SecretRef>();
  for (const app of cfg.apps) for (const { ref } of appSecrets(app)) seen.set(ref.reference, ref);
  return [...seen.values()];
}

/**
 * Adds the read statements to `role` (none when the config references no secret) and
 * acknowledges the `??????` patterns to cdk-nag, which flags any wildcard.
 */
export function grantAppSecretReads(role: iam.Role, cfg: Config, actions: { ssm: readonly string[] }): void {
  const stack = Stack.of(role);
  const refs = referencedSecrets(cfg);
  const parameters = refs.filter((r) => r.service === 'ssm').map((r) => secretResourceArn(stack, r));
  const secrets = refs.filter((r) => r.service === 'secretsmanager');
  if (parameters.length > 0) {
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadAppSecretParameters', actions: [...actions.ssm], resources: [...new Set(parameters)] }));
  }
  if (secrets.length === 0) return;
  role.addToPolicy(
    new iam.PolicyStatement({ sid: 'ReadAppSecrets', actions: ['secretsmanager:GetSecretValue'], resources: [...new Set(secrets.map((r) => secretResourceArn(stack, r)))] }),
  );
  const byName = secrets.filter((r) => !r.arn);
  if (byName.length > 0) {
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge(
      ...byName.map((r) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(stack, 'secretsmanager', `secret:${r.name}-??????`)}]`,
        reason: `The one Secrets Manager secret named ${r.name} that shinykit.yaml references: "??????" stands for the 6 random characters Secrets Manager appends to its ARN.`,
      })),
    );
  }
}
