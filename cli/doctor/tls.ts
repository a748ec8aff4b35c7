/**
 * The host's own word on its certificate: `<prefix>status/tls`, which shinykit-tls
 * (assets/host/shinykit-tls.sh) writes after every run: what it serves (the CA's certificate or
 * the self-signed placeholder), issuer, names, expiry, ACME profile, HSTS stage and the last ACME
 * error with its kind. Doctor turns the error kind into what to do.
 */
import { ExtraOutputKeys } from '../../lib/outputs.js';
import type { Check, DoctorDeps } from './checks.js';
import { readHostStatus } from './host-status.js';

export interface TlsStatus {
  readonly mode?: string;
  readonly site?: string;
  readonly profile?: string;
  readonly issuer?: string;
  readonly names?: string;
  readonly notAfter?: string;
  readonly hsts?: string;
  readonly failures?: number;
  readonly detail?: string;
  readonly lastError?: string;
  readonly lastErrorKind?: string;
  readonly time?: string;
}

/** What to do about the last ACME error, by the kind shinykit-tls recorded. */
export function acmeErrorFix(kind: string | undefined, site: string | undefined): string {
  const sslip = site?.endsWith('.sslip.io');
  switch (kind) {
    case 'rate-limited':
      return sslip
        ? "Let's Encrypt's rate limit for sslip.io, a quota every sslip.io user in the world shares: remove tls.sslip (the site becomes https://<elastic-ip>/, certified on its own) or set domain, then `npx cdk deploy --all`"
        : "Let's Encrypt rate-limited this host: it backs off by itself (up to 6 hours between tries); do not replace the host meanwhile (each new host would ask again)";
    case 'validation':
      return "Let's Encrypt could not fetch the challenge over http://<site>/.well-known/acme-challenge/: port 80 must be open to the internet (the security group allows it) and, with domain, its DNS A record must point at HostPublicIp";
    default:
      return 'read /var/log/shinykit/tls.log on the host (docs/host.md, "Certificates"); the timer retries every 15 minutes with backoff';
  }
}

export const tlsStatusCheck: Check = {
  id: 'tls-status',
  title: "host's certificate status",
  async run(d: DoctorDeps, out) {
    const prefix = out[ExtraOutputKeys.ConfigParameterPrefix];
    if (!prefix) return { status: 'skip', detail: `needs the ${ExtraOutputKeys.ConfigParameterPrefix} output (see the first check)` };
    const name = `${prefix}status/tls`;
    const s = await readHostStatus<TlsStatus>(d.ssm(), name);
    if (s === undefined) {
      return {
        status: 'warn',
        detail: `the host has not reported on its certificate yet (${name} does not exist)`,
        fix: 'a new host reports within a few minutes of its first boot; if this persists, see the "host finished its first boot" check',
      };
    }
    if (s === null) return { status: 'warn', detail: `${name} is not JSON`, fix: 'it is rewritten every 15 minutes; run doctor again later' };
    const facts = [
      s.mode === 'trusted' ? `serving ${s.issuer || 'a CA'}'s certificate` : 'serving the self-signed placeholder',
      s.names ? `for ${s.names}` : '',
      s.notAfter ? `until ${s.notAfter}` : '',
      s.profile ? `(profile ${s.profile})` : '',
      s.hsts ? `HSTS ${s.hsts}` : '',
      s.time ? `reported ${s.time}` : '',
    ].filter(Boolean);
    const summary = facts.join(', ').replace(', (', ' (');
    if (s.lastError) {
      const tried = s.failures ? `${s.failures} failed attempt(s), last: ` : 'last ACME error: ';
      return {
        status: s.mode === 'trusted' ? 'warn' : 'fail',
        detail: `${summary}; ${tried}${s.lastError.replace(/\s+/g, ' ').slice(0, 400)}`,
        fix: acmeErrorFix(s.lastErrorKind, s.site),
      };
    }
    if (s.mode !== 'trusted') {
      return {
        status: 'warn',
        detail: `${summary}; ${s.detail ?? 'waiting for the first certificate'}`,
        fix: 'the host asks Let\'s Encrypt within minutes of boot; run doctor again shortly',
      };
    }
    return { status: 'ok', detail: summary };
  },
};
