/**
 * AWS-setup errors in the user's terms. The SDK errors here are built the way the
 * SDK shapes them (name, message, $metadata/$response), because no AWS account is
 * reachable; the profile files are real files read by the same code the CLI runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployRegion, profileInfo } from '../../cli/lib/aws-profile.js';
import { reportError } from '../../cli/lib/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'shinykit-aws-config-'));
const configFile = join(dir, 'config');
writeFileSync(
  configFile,
  [
    '[default]',
    'region = eu-central-1',
    '[profile team]',
    'sso_session = corp',
    'sso_account_id = 123456789012',
    'region = eu-west-1',
    '[sso-session corp]',
    'sso_start_url = https://corp.awsapps.com/start',
    '[profile keys]',
    'region=us-west-2',
  ].join('\n'),
);
const env = { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none') };

const sdkError = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);
const linesOf = (err: unknown, profile?: string, debug = false) => reportError(err, debug, { profile, env });

describe('the local AWS profiles', () => {
  it('reads regions and IAM Identity Center profiles from the config file, not the sso-session section', () => {
    expect(profileInfo('team', env)).toEqual({ name: 'team', exists: true, region: 'eu-west-1', sso: true });
    expect(profileInfo('keys', env)).toMatchObject({ exists: true, region: 'us-west-2', sso: false });
    expect(profileInfo('corp', env).exists).toBe(false);
    expect(profileInfo(undefined, env)).toMatchObject({ name: 'default', region: 'eu-central-1' });
  });

  it('the deploy region: shinykit.yaml, then --region, AWS_REGION, AWS_DEFAULT_REGION, the profile', () => {
    expect(deployRegion({ configRegion: 'ap-south-1', flag: 'us-east-1' }, env)).toEqual({ region: 'ap-south-1', source: 'shinykit.yaml (region)' });
    expect(deployRegion({ flag: 'us-east-1' }, env).source).toBe('--region');
    expect(deployRegion({}, { ...env, AWS_REGION: 'sa-east-1' })).toEqual({ region: 'sa-east-1', source: 'AWS_REGION' });
    expect(deployRegion({ profile: 'keys' }, env)).toEqual({ region: 'us-west-2', source: 'AWS profile "keys"' });
    expect(deployRegion({ profile: 'nope' }, env).region).toBeUndefined();
  });
});

describe('AWS-setup errors', () => {
  it('an unknown --profile is named, with how to create it (exit 2)', () => {
    const r = linesOf(sdkError('CredentialsProviderError', 'Could not resolve credentials using profile: [nope] in configuration/credentials file(s).'), 'nope');
    expect(r.exitCode).toBe(2);
    expect(r.lines[0]).toBe('error: the AWS profile "nope" does not exist (it is in neither ~/.aws/config nor ~/.aws/credentials)');
    expect(r.lines[1]).toContain('aws configure --profile nope');
  });

  it('an SSO profile without a session is told to `aws sso login --profile …`', () => {
    const r = linesOf(sdkError('CredentialsProviderError', 'Token is expired. To refresh this SSO session run aws sso login with the corresponding profile.'), 'team');
    expect(r.lines.join('\n')).toContain('`aws sso login --profile team`');
  });

  it('no region says where to set one', () => {
    const r = linesOf(sdkError('Error', 'Region is missing'));
    expect(r.exitCode).toBe(2);
    expect(r.lines).toEqual(['error: no AWS region is set', 'hint: set region in shinykit.yaml, pass --region <region>, or set AWS_REGION (or a region in your AWS profile)']);
  });

  it('a response the SDK cannot parse is translated, never the deserialization internals', () => {
    const err = sdkError('SyntaxError', 'Unexpected token < in JSON at position 0\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.', {
      $metadata: { httpStatusCode: 502 },
      $response: { statusCode: 502 },
    });
    const text = linesOf(err).lines.join('\n');
    expect(text).toContain('AWS answered with something that is not an AWS response (HTTP 502)');
    expect(text).not.toMatch(/Deserialization|\$response|hidden field/);
  });

  it('with --debug an unexpected error never says "run again with --debug"', () => {
    expect(linesOf(new Error('boom')).lines).toContain('hint: run again with --debug for the full trace');
    const debug = linesOf(new Error('boom'), undefined, true).lines.join('\n');
    expect(debug).not.toContain('run again with --debug');
    expect(debug).toContain('Error: boom'); // the stack instead
  });
});
