/**
 * The first group of the UUID that ends this stack's StackId, as a CloudFormation
 * expression: `Fn::Select 0 (Fn::Split "-" (Fn::Select 2 (Fn::Split "/" AWS::StackId)))`.
 * Known to CloudFormation with no lookup, fixed for the stack's lifetime and
 * different for every stack created, so names built with it survive updates yet never
 * collide with what an earlier (retained, or rolled-back) stack left behind.
 * `stackIdSuffix` in lib/config/domain-prefix.ts computes the same from a StackId string.
 */
import { Aws, Fn } from 'aws-cdk-lib';

export function stackIdSuffixToken(): string {
  // arn:<partition>:cloudformation:<region>:<account>:stack/<stack name>/<uuid>
  const uuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return Fn.select(0, Fn.split('-', uuid));
}
