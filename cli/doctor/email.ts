/**
 * Doctor (and preflight) checks for cognito.email: Cognito sends the pool's email
 * through Amazon SES only when
 * - the identity (the from address, or its domain) is verified in SES in the
 *   identity's region (SESv2 GetEmailIdentity: VerifiedForSendingStatus);
 * - the configuration set, when one is named, exists there;
 * - the SES account has production access: in the sandbox SES delivers only to
 *   verified recipients, 200 a day (SESv2 GetAccount: ProductionAccessEnabled);
 * - the deployed pool really sends through SES (EmailSendingAccount DEVELOPER).
 * Cognito sends as its service-linked role AWSServiceRoleForAmazonCognitoIdpEmailService
 * (ses:SendEmail, ses:SendRawEmail), which Cognito creates at the first deploy
 * with SES; the deploying principal needs iam:CreateServiceLinkedRole for that.
 * Read-only: GetEmailIdentity, GetConfigurationSet, GetAccount, DescribeUserPool.
 */
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetAccountCommand, GetConfigurationSetCommand, GetEmailIdentityCommand } from '@aws-sdk/client-sesv2';
import type { Config } from '../../lib/config/index.js';
import { OutputKeys } from '../../lib/outputs.js';
import type { Check, CheckResult } from './checks.js';

type Result = Omit<CheckResult, 'id' | 'title'>;
const ok = (detail: string): Result => ({ status: 'ok', detail });
const fail = (detail: string, fix: string): Result => ({ status: 'fail', detail, fix });
const warn = (detail: string, fix: string): Result => ({ status: 'warn', detail, fix });

/** The SES identity Cognito sends from: sesIdentity, else the from address. */
export function sesIdentityOf(email: NonNullable<Config['cognito']['email']>): string {
  return email.sesIdentity ?? email.from;
}

/** The region of the SES identity: sesRegion, else the pool's (config region or the Region output). */
function sesRegionOf(config: Pick<Config, 'cognito' | 'region'>, out: Readonly<Record<string, string>>): string | undefined {
  return config.cognito.email?.sesRegion ?? config.region ?? out[OutputKeys.Region];
}

const named = (err: unknown, name: string) => err instanceof Error && err.name === name;

/**
 * The checks for cognito.email; none without it, so other reports are unchanged.
 * Exported for preflight (which runs them before a deploy: the pool check then skips).
 */
export function sesEmailChecks(config: Pick<Config, 'cognito' | 'region'>): Check[] {
  const email = config.cognito.email;
  if (!email) return [];
  const identity = sesIdentityOf(email);
  const verifyFix = identity.includes('@')
    ? `verify it: \`aws sesv2 create-email-identity --email-identity ${identity}\` sends a link to that mailbox; click it`
    : `verify the domain: \`aws sesv2 create-email-identity --email-identity ${identity}\` and publish the three DKIM CNAME records it prints`;
  const checks: Check[] = [
    {
      id: 'ses-identity',
      title: `SES identity ${identity} verified`,
      async run(d, out) {
        if (!d.ses) return { status: 'skip', detail: 'no SES client' };
        const region = sesRegionOf(config, out);
        try {
          const res = await d.ses(region).send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
          if (!res.VerifiedForSendingStatus) {
            return fail(`${identity} is in SES (${region ?? 'default region'}) but not verified for sending`, verifyFix);
          }
          return ok(`${identity} is verified in SES ${region ?? ''}`.trim());
        } catch (err) {
          if (named(err, 'NotFoundException')) return fail(`${identity} is not an SES identity in ${region ?? 'this region'}`, verifyFix);
          throw err;
        }
      },
    },
  ];
  if (email.configurationSet) {
    const set = email.configurationSet;
    checks.push({
      id: 'ses-configuration-set',
      title: `SES configuration set ${set} exists`,
      async run(d, out) {
        if (!d.ses) return { status: 'skip', detail: 'no SES client' };
        const region = sesRegionOf(config, out);
        try {
          await d.ses(region).send(new GetConfigurationSetCommand({ ConfigurationSetName: set }));
          return ok(`found in ${region ?? 'the default region'}`);
        } catch (err) {
          if (named(err, 'NotFoundException')) {
            return fail(`no configuration set ${set} in SES ${region ?? ''}`.trim(), `create it (\`aws sesv2 create-configuration-set --configuration-set-name ${set}\`) or remove cognito.email.configurationSet`);
          }
          throw err;
        }
      },
    });
  }
  checks.push({
    id: 'ses-production',
    title: 'SES account out of the sandbox',
    async run(d, out) {
      if (!d.ses) return { status: 'skip', detail: 'no SES client' };
      const region = sesRegionOf(config, out);
      let res;
      try {
        res = await d.ses(region).send(new GetAccountCommand({}));
      } catch (err) {
        return warn(`cannot read the SES account (${err instanceof Error ? err.name : String(err)})`, 'check in the SES console that the account has production access');
      }
      const quota = res.SendQuota?.Max24HourSend;
      if (!res.ProductionAccessEnabled) {
        return warn(
          `SES in ${region ?? 'this region'} is in the sandbox: it emails only verified addresses${quota ? `, ${quota} a day` : ''}, so invitations to anyone else are dropped`,
          'request production access (SES console > Account dashboard > Request production access)',
        );
      }
      return ok(`production access${quota ? `, ${quota} emails a day` : ''}`);
    },
  });
  checks.push({
    id: 'ses-pool',
    title: 'user pool sends its email through SES',
    async run(d, out) {
      const poolId = out[OutputKeys.UserPoolId];
      if (!poolId) return { status: 'skip', detail: 'needs the UserPoolId output (not deployed yet)' };
      const res = await d.cognito().send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      const account = res.UserPool?.EmailConfiguration?.EmailSendingAccount ?? 'COGNITO_DEFAULT';
      if (account !== 'DEVELOPER') {
        return fail(`the deployed pool still uses Cognito's own sender (${account}, 50 emails a day)`, 'deploy the stacks: `npx cdk deploy --all --outputs-file cdk-outputs.json`');
      }
      return ok(`from ${res.UserPool?.EmailConfiguration?.From ?? email.from}`);
    },
  });
  return checks;
}
