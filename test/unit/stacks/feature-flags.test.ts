/**
 * The feature flags lib/app.ts sets exist in the pinned aws-cdk-lib: an unknown key
 * is ignored without a word, so a stale flag only misleads whoever reads the list.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CDK_FEATURE_FLAGS } from '../../../lib/app.js';

// cx-api's FLAGS table is not an exported subpath, so load the file from the package directory.
const require = createRequire(import.meta.url);
const libDir = dirname(require.resolve('aws-cdk-lib/package.json'));
const { FLAGS } = require(join(libDir, 'cx-api/lib/features.js')) as { FLAGS: Record<string, unknown> };

describe('CDK feature flags', () => {
  it('sets only flags the pinned aws-cdk-lib defines', () => {
    const unknown = Object.keys(CDK_FEATURE_FLAGS).filter((k) => !(k in FLAGS));
    expect(unknown).toEqual([]);
  });

  it('no longer sets the two flags aws-cdk-lib does not have', () => {
    expect(Object.keys(CDK_FEATURE_FLAGS)).not.toContain('@aws-cdk/aws-ecr:removeLifecyclePolicyRetentionAttribute');
    expect(Object.keys(CDK_FEATURE_FLAGS)).not.toContain('@aws-cdk/aws-iam:standardizedServicePrincipals');
  });
});
