/**
 * The doctor's checks against a live deployment. Each returns one line's worth
 * of result and, when it fails, the fix. Every dependency is injected (outputs,
 * AWS clients, the resolver, how the site is reached, the clock) so tests point
 * them at moto and a local HTTPS server.
 */
import { DescribeUserPoolClientCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { DescribeInstanceInformationCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../../lib/config/index.js';
import { ExtraOutputKeys, OutputKeys, repositoryOutputKey, requiredOutputKeys } from '../../lib/outputs.js';
import type { ImageState } from '../lib/image-state.js';
import { followSiteRedirects, probeCertificate, type Endpoint, type Resolver } from './site.js';
import { withEcsChecks } from './ecs.js';
import { describeAwsError } from '../lib/errors.js';
import { tlsStatusCheck } from './tls.js';
import { readHostStatus } from './host-status.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do, for warn and fail. */
  readonly fix?: string;
}

export interface DoctorDeps {
  readonly config: Config;
  /** Merged stack outputs, or why they could not be read. */
  readonly outputs: { readonly values: Readonly<Record<string, string>>; readonly source: string } | { readonly error: string };
  readonly cognito: () => CognitoIdentityProviderClient;
  readonly ecr: () => ECRClient;
  readonly ssm: () => SSMClient;
  /** backend: ecs only (cli/doctor/ecs.ts). */
  readonly ecs?: () => ECSClient;
  readonly iam?: () => IAMClient;
  /** cognito.email only (cli/doctor/email.ts): SES in the identity's region. */
  readonly ses?: (region?: string) => SESv2Client;
  readonly resolve: Resolver;
  /** Reach the site here instead of at the address SiteHostname resolves to. */
  readonly connect?: Endpoint;
  readonly images: ImageState;
  readonly now: () => Date;
  /** Warn when the certificate expires within this many days. */
  readonly certWarnDays: number;
}

export interface Check {
  readonly id: string;
  readonly title: string;
  run(d: DoctorDeps, out: Readonly<Record<string, string>>): Promise<Omit<CheckResult, 'id' | 'title'>>;
}

const ok = (detail: string) => ({ status: 'ok' as const, detail });
const fail = (detail: string, fix: string) => ({ status: 'fail' as const, detail, fix });
const warn = (detail: string, fix: string) => ({ status: 'warn' as const, detail, fix });

/** `https://<site>/login/oauth2/code/shinyproxy`: the one callback Cognito must allow. */
export const callbackUrl = (siteHostname: string) => `https://${siteHostname}/login/oauth2/code/shinyproxy`;

const DEPLOY_FIX = 'deploy the current stacks: `npx shinykit deploy`';

/** A missing output makes a check impossible, not failed: it is reported once, by `outputs`. */
class MissingOutput extends Error {}
function need(out: Readonly<Record<string, string>>, key: string): string {
  const v = out[key];
  if (!v) throw new MissingOutput(key);
  return v;
}

export const CHECKS: readonly Check[] = [
  {
    id: 'outputs',
    title: 'stacks deployed, outputs complete',
    async run(d, out) {
      if ('error' in d.outputs) return fail(d.outputs.error, DEPLOY_FIX);
      const missing = [...requiredOutputKeys(d.config), ExtraOutputKeys.ConfigParameterPrefix].filter((k) => !out[k]);
      if (missing.length > 0) return fail(`${d.outputs.source} lacks ${missing.join(', ')}`, DEPLOY_FIX);
      return ok(`${Object.keys(out).length} outputs from ${d.outputs.source}`);
    },
  },
  {
    id: 'dns',
    title: 'DNS points at the host',
    async run(d, out) {
      const host = need(out, OutputKeys.SiteHostname);
      const ip = need(out, OutputKeys.HostPublicIp);
      // No domain: the site is the Elastic IP itself, so there is no name to resolve.
      if (host === ip) return ok(`the site is the Elastic IP ${ip}; no DNS record needed`);
      let addresses: string[];
      try {
        addresses = await d.resolve(host);
      } catch (err) {
        addresses = [];
        if (!/ENOTFOUND|ENODATA|NXDOMAIN/.test(String((err as NodeJS.ErrnoException).code ?? err))) {
          return fail(`cannot resolve ${host}: ${(err as Error).message}`, 'check this machine\'s DNS and network, then run doctor again');
        }
      }
      if (addresses.includes(ip)) return ok(`${host} → ${ip}`);
      const seen = addresses.length ? addresses.join(', ') : 'nothing';
      const fix = d.config.domain
        ? d.config.hostedZone
          ? `the stack creates this record in ${d.config.hostedZone}; redeploy (\`npx shinykit deploy\`) and allow a few minutes for DNS to propagate`
          : `create a DNS A record ${host} → ${ip} at your DNS provider (or set hostedZone in shinykit.yaml to have the stack create it)`
        : `${host} is an sslip.io name that resolves to ${ip} by itself; this machine's DNS may block sslip.io: try another resolver`;
      return fail(`${host} resolves to ${seen}, not the host's address ${ip}`, fix);
    },
  },
  {
    id: 'https',
    title: 'HTTPS certificate valid',
    async run(d, out) {
      const host = need(out, OutputKeys.SiteHostname);
      const via = d.connect ?? { host, port: 443 };
      let probe;
      try {
        probe = await probeCertificate(host, via);
      } catch (err) {
        return fail(
          `no HTTPS answer from ${via.host}:${via.port}: ${(err as Error).message}`,
          'check the instance is running and nginx is up: `npx shinykit doctor` again after a few minutes, else see docs/host.md ("Recovering")',
        );
      }
      const names = probe.names ? `, names ${probe.names}` : '';
      if (!probe.trusted) {
        return fail(
          `the certificate is not trusted (${probe.error}${probe.issuer ? `, issuer ${probe.issuer}` : ''}${names})`,
          'the host serves a self-signed placeholder until Let\'s Encrypt issues a certificate; that needs port 80 reachable (and, with domain, DNS pointing at the host). ' +
            'The "host\'s certificate status" check below shows the last ACME error',
        );
      }
      if (!probe.validTo) return ok('trusted certificate');
      const left = probe.validTo.getTime() - d.now().getTime();
      const days = Math.floor(left / 86_400_000);
      const hours = Math.floor(left / 3_600_000);
      const until = `valid until ${probe.validTo.toISOString().replace(/:\d\d\.\d+Z$/, 'Z')}`;
      // Renewal starts with 1/3 of the lifetime left (1/2 for 6-day certificates): warn only once
      // a certificate is past that and past certWarnDays, so a healthy 6-day certificate is not flagged.
      const lifetime = probe.validFrom ? probe.validTo.getTime() - probe.validFrom.getTime() : Infinity;
      const warnAt = Math.min(d.certWarnDays * 86_400_000, lifetime / 3);
      if (left < warnAt) {
        return warn(
          `${until} (${days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`} left${names})`,
          `the host renews with a third of the lifetime left (half for 6-day certificates); renewal is failing: see the "host\'s certificate status" check below and the host log group ${out[ExtraOutputKeys.HostLogGroupName] ?? '(HostLogGroupName output)'}`,
        );
      }
      return ok(`trusted, ${until}${probe.issuer ? `, issued by ${probe.issuer}` : ''}${names}`);
    },
  },
  tlsStatusCheck,
  {
    id: 'login-redirect',
    title: 'login redirects to Cognito with the exact callback URL',
    async run(d, out) {
      const host = need(out, OutputKeys.SiteHostname);
      const siteUrl = need(out, OutputKeys.SiteUrl);
      const cognito = new URL(need(out, OutputKeys.CognitoDomainUrl));
      const clientId = need(out, OutputKeys.UserPoolClientId);
      const expected = callbackUrl(host);
      const renderFix = 'render and deliver the config again: `npx shinykit apply` (it sets forward-headers-strategy and enforce-https-redirect-uri)';
      let result;
      try {
        result = await followSiteRedirects(siteUrl, host, d.connect);
      } catch (err) {
        return fail(`GET ${siteUrl} failed: ${(err as Error).message}`, 'fix the HTTPS check first');
      }
      const last = result.hops.at(-1)!;
      const target = result.leavesTo;
      if (!target) {
        if (last.status === 502 || last.status === 503 || last.status === 504) {
          return fail(`${last.url} answered ${last.status}: nginx is up but ShinyProxy is not answering`, 'see docs/host.md ("Recovering"); the last apply status (below) often says why');
        }
        return fail(`${last.url} answered ${last.status} without sending you to log in`, renderFix);
      }
      if (target.protocol === 'http:' && target.hostname === host) {
        return fail(`the site redirects to ${target.href} (http://)`, renderFix);
      }
      if (target.origin !== cognito.origin || target.pathname !== '/oauth2/authorize') {
        return fail(`the login redirect goes to ${target.origin}${target.pathname}, not ${cognito.origin}/oauth2/authorize`, renderFix);
      }
      const redirectUri = target.searchParams.get('redirect_uri');
      if (redirectUri !== expected) {
        return fail(
          `redirect_uri is ${redirectUri ?? '(missing)'}, expected exactly ${expected}`,
          redirectUri?.startsWith('http://') ? `ShinyProxy thinks it is served over http: ${renderFix}` : renderFix,
        );
      }
      if (target.searchParams.get('client_id') !== clientId) {
        return fail(`client_id is ${target.searchParams.get('client_id') ?? '(missing)'}, expected ${clientId}`, renderFix);
      }
      return ok(`${result.hops.length} hop(s) → ${cognito.host}/oauth2/authorize, redirect_uri ${expected}`);
    },
  },
  {
    id: 'cognito-client',
    title: "Cognito client's callback and sign-out URLs match the site",
    async run(d, out) {
      const host = need(out, OutputKeys.SiteHostname);
      const logoutUrl = new URL(need(out, OutputKeys.LogoutUrl));
      const res = await d.cognito().send(
        new DescribeUserPoolClientCommand({ UserPoolId: need(out, OutputKeys.UserPoolId), ClientId: need(out, OutputKeys.UserPoolClientId) }),
      );
      // The response also holds the client secret: only the URL lists are read from it.
      const callbacks = res.UserPoolClient?.CallbackURLs ?? [];
      const logouts = res.UserPoolClient?.LogoutURLs ?? [];
      const problems: string[] = [];
      if (!callbacks.includes(callbackUrl(host))) problems.push(`CallbackURLs ${JSON.stringify(callbacks)} lack ${callbackUrl(host)}`);
      const logoutUri = logoutUrl.searchParams.get('logout_uri');
      if (!logoutUri) problems.push('the LogoutUrl output has no logout_uri');
      else if (!logouts.includes(logoutUri)) problems.push(`LogoutURLs ${JSON.stringify(logouts)} lack ${logoutUri} (must match exactly, trailing slash included)`);
      if (problems.length > 0) {
        return fail(problems.join('; '), `${DEPLOY_FIX}; the client's URLs are derived from SiteHostname, so a changed domain needs a redeploy`);
      }
      return ok(`callback ${callbackUrl(host)}, sign-out ${logoutUri}`);
    },
  },
  {
    id: 'images',
    title: 'every app has an image in ECR',
    async run(d, out) {
      const missing: string[] = [];
      const found: string[] = [];
      for (const app of d.config.apps) {
        const uri = need(out, repositoryOutputKey(app));
        const repositoryName = uri.slice(uri.indexOf('/') + 1);
        const pushed = d.images[app.id];
        try {
          const res = await d.ecr().send(
            new DescribeImagesCommand({
              repositoryName,
              ...(pushed?.digest ? { imageIds: [{ imageDigest: pushed.digest }] } : { maxResults: 1 }),
            }),
          );
          if ((res.imageDetails ?? []).length > 0) found.push(app.id);
          else missing.push(`${app.id} (${repositoryName} is empty)`);
        } catch (err) {
          const name = (err as Error).name;
          if (name === 'ImageNotFoundException') missing.push(`${app.id} (pushed digest ${pushed?.digest} is gone from ${repositoryName})`);
          else if (name === 'RepositoryNotFoundException') missing.push(`${app.id} (no repository ${repositoryName})`);
          else throw err;
        }
      }
      if (missing.length > 0) return fail(`no image for ${missing.join(', ')}`, 'build and push the apps: `npx shinykit push`');
      return ok(`${found.length} app(s): ${found.join(', ')}`);
    },
  },
  {
    id: 'bootstrap',
    title: 'host finished its first boot',
    async run(d, out) {
      const name = `${need(out, ExtraOutputKeys.ConfigParameterPrefix)}status/bootstrap`;
      const status = await readHostStatus<HostStatus>(d.ssm(), name);
      if (status === undefined) {
        return fail(
          `the host has not reported its boot yet (${name} does not exist)`,
          `a new host needs a few minutes after \`cdk deploy\`; if this persists, read its system log: \`aws ec2 get-console-output --latest --instance-id ${out[OutputKeys.HostInstanceId] ?? '<HostInstanceId>'}${out[OutputKeys.Region] ? ` --region ${out[OutputKeys.Region]}` : ''}\` (docs/host.md, "First boot")`,
        );
      }
      if (status === null) return fail(`${name} is not JSON`, 'see docs/host.md ("Recovering")');
      if (status.result === 'ok') return ok(`ok${status.time ? ` at ${status.time}` : ''}`);
      const tail = String(status.detail ?? '').trim().split('\n').slice(-3).join(' / ').slice(0, 400);
      return fail(
        `${status.result ?? 'unknown'} at step ${status.step ?? '?'}${tail ? `: ${tail}` : ''}`,
        `see docs/host.md ("First boot" lists the steps, "Recovering" how to replace the host: \`npx cdk deploy ${d.config.name}-host\`)`,
      );
    },
  },
  {
    id: 'ssm-online',
    title: 'host online in SSM',
    async run(d, out) {
      const id = need(out, OutputKeys.HostInstanceId);
      const res = await d.ssm().send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [id] }] }));
      const info = res.InstanceInformationList?.find((i) => i.InstanceId === id);
      const fix =
        'the SSM agent on the host is not reporting: check the instance is running (EC2 console), wait a few minutes after a deploy, ' +
        `and see docs/host.md ("Recovering") for the boot log in the log group ${out[ExtraOutputKeys.HostLogGroupName] ?? '(HostLogGroupName output)'}`;
      if (!info) return fail(`${id} is not registered with SSM`, fix);
      if (info.PingStatus !== 'Online') return fail(`${id} is ${info.PingStatus ?? 'unknown'} in SSM`, fix);
      return ok(`${id} Online${info.AgentVersion ? `, agent ${info.AgentVersion}` : ''}`);
    },
  },
  {
    id: 'last-apply',
    title: 'last config apply succeeded',
    async run(d, out) {
      const name = `${need(out, ExtraOutputKeys.ConfigParameterPrefix)}status/last-apply`;
      const status = await readHostStatus<HostStatus>(d.ssm(), name);
      if (status === undefined) return fail(`no config has been applied yet (${name} does not exist)`, 'push the apps and deliver the config: `npx shinykit push` (or `npx shinykit apply`)');
      if (status === null) return fail(`${name} is not JSON`, 'run `npx shinykit apply` to write a fresh status');
      const when = status.time ? ` at ${status.time}` : '';
      if (status.result === 'applied' || status.result === 'unchanged') return ok(`${status.result}${when}`);
      const fix =
        status.result === 'rejected'
          ? 'the host kept its last good config; fix what the reason says and run `npx shinykit apply` again'
          : 'the host could not restore its previous config: see docs/host.md ("Recovering")';
      return fail(`${status.result ?? 'unknown'}${when}: ${status.reason ?? 'no reason given'}`, fix);
    },
  },
];

type HostStatus = { result?: string; reason?: string; time?: string; step?: string; detail?: string };


/** Runs every check in order; a check that throws fails with the error, one missing output skips. */
export async function runChecks(d: DoctorDeps, checks: readonly Check[] = withEcsChecks(d.config, CHECKS)): Promise<CheckResult[]> {
  const out = 'error' in d.outputs ? {} : d.outputs.values;
  const results: CheckResult[] = [];
  for (const check of checks) {
    let r: Omit<CheckResult, 'id' | 'title'>;
    try {
      r = await check.run(d, out);
    } catch (err) {
      if (err instanceof MissingOutput) r = { status: 'skip', detail: `needs the ${err.message} output (see the first check)` };
      else r = fail(describe(err), awsFix(err));
    }
    results.push({ id: check.id, title: check.title, ...r });
  }
  return results;
}

function describe(err: unknown): string {
  const aws = describeAwsError(err);
  if (aws) return aws.message;
  if (err instanceof Error) return `${err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}`;
  return String(err);
}

function awsFix(err: unknown): string {
  const text = describe(err);
  if (/credential|ExpiredToken|UnrecognizedClient|InvalidClientTokenId/i.test(text)) {
    return 'check your AWS credentials (--profile, AWS_PROFILE, or `aws sso login`) and --region';
  }
  if (/AccessDenied|NotAuthorized/i.test(text)) return 'use credentials that may read this deployment (Cognito, ECR, SSM)';
  // Never "run again with --debug": doctor may already run with it. The mapper's wording, else the docs.
  return describeAwsError(err)?.hint ?? 'if it persists, see docs/host.md ("Recovering")';
}
