/**
 * Doctor's checks for cognito.email (cli/doctor/email.ts) against moto_server's
 * SES v2 and Cognito: an identity that is missing or not verified, a missing
 * configuration set, and a pool still on Cognito's own sender each fail with the
 * fix; a pool sending through SES passes. moto never marks an SES identity
 * verified and has no GetAccount, so the verified case uses a stub client (said
 * where) and the sandbox check shows its "cannot read" warning.
 */
import { CognitoIdentityProviderClient, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { CreateConfigurationSetCommand, CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../lib/config/index.js';
import { runChecks, sesEmailChecks, type DoctorDeps } from '../../cli/doctor/index.js';
import { startMoto, TEST_REGION, type Moto } from '../support/moto.js';

const BASE = `name: analytics
region: ${TEST_REGION}
tls: { email: ops@example.org }
cognito:
  groups: { users: {} }
  email: { from: no-reply@example.org, sesIdentity: example.org, configurationSet: invites }
apps:
  - { id: one, context: ./one, groups: [users] }
`;

let moto: Moto;
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const ses = () => new SESv2Client({ endpoint: moto.url, region: TEST_REGION, credentials });
const cognito = () => new CognitoIdentityProviderClient({ endpoint: moto.url, region: TEST_REGION, credentials });

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
});

function deps(config: Config, poolId?: string, sesClient: (region?: string) => SESv2Client = () => ses()): DoctorDeps {
  // Only what the email checks read; the other checks are not run here.
  return {
    config,
    outputs: { values: poolId ? { UserPoolId: poolId, Region: TEST_REGION } : { Region: TEST_REGION }, source: 'test' },
    cognito,
    ses: sesClient,
  } as unknown as DoctorDeps;
}

async function run(config: Config, poolId?: string, sesClient?: (region?: string) => SESv2Client) {
  const results = await runChecks(deps(config, poolId, sesClient), sesEmailChecks(config));
  return Object.fromEntries(results.map((r) => [r.id, r]));
}

describe('doctor: cognito.email (SES)', () => {
  it('adds no check without cognito.email', () => {
    expect(sesEmailChecks(parseConfig(BASE.replace(/  email:.*\n/, ''), 'x.yaml'))).toEqual([]);
  });

  it('fails a missing identity, a missing configuration set and a pool on Cognito\'s sender, each with the fix', async () => {
    const cfg = parseConfig(BASE, 'x.yaml');
    const pool = await cognito().send(new CreateUserPoolCommand({ PoolName: 'p' }));
    const r = await run(cfg, pool.UserPool!.Id);
    expect(r['ses-identity']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/example.org is not an SES identity/), fix: expect.stringMatching(/DKIM/) });
    expect(r['ses-configuration-set']).toMatchObject({ status: 'fail', fix: expect.stringMatching(/create-configuration-set --configuration-set-name invites/) });
    expect(r['ses-production']).toMatchObject({ status: 'warn' });
    expect(r['ses-pool']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/Cognito's own sender/) });
  });

  it('fails an identity that exists but is not verified; passes the configuration set and a pool sending through SES', async () => {
    const cfg = parseConfig(BASE, 'x.yaml');
    await ses().send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.org' }));
    await ses().send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'invites' }));
    const pool = await cognito().send(
      new CreateUserPoolCommand({
        PoolName: 'p',
        EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', From: 'no-reply@example.org', SourceArn: `arn:aws:ses:${TEST_REGION}:123456789012:identity/example.org` },
      }),
    );
    const r = await run(cfg, pool.UserPool!.Id);
    expect(r['ses-identity']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not verified for sending/) });
    expect(r['ses-configuration-set']).toMatchObject({ status: 'ok' });
    expect(r['ses-pool']).toMatchObject({ status: 'ok' });
  });

  it('passes a verified identity and an account with production access, asked in the identity\'s region', async () => {
    const cfg = parseConfig(BASE.replace('configurationSet: invites', 'sesRegion: us-east-1'), 'x.yaml');
    const regions: Array<string | undefined> = [];
    // Stub: moto never verifies an SES identity nor answers GetAccount.
    const stub = (region?: string) => {
      regions.push(region);
      return { send: async (cmd: { constructor: { name: string } }) => (cmd.constructor.name === 'GetAccountCommand' ? { ProductionAccessEnabled: true, SendQuota: { Max24HourSend: 50000 } } : { VerifiedForSendingStatus: true }) } as unknown as SESv2Client;
    };
    const r = await run(cfg, undefined, stub);
    expect(r['ses-identity']).toMatchObject({ status: 'ok' });
    expect(r['ses-production']).toMatchObject({ status: 'ok', detail: 'production access, 50000 emails a day' });
    expect(r['ses-pool']).toMatchObject({ status: 'skip' });
    expect(new Set(regions)).toEqual(new Set(['us-east-1']));
  });
});
