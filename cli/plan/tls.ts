/**
 * How the site gets its certificate, and the limits that come with the choice: the Elastic IP
 * itself (Let's Encrypt's shortlived profile, 160-hour certificates), a domain (90 days, or the
 * profile tls.profile names), or <ip>.sslip.io (a Let's Encrypt quota shared by every sslip.io
 * user). What the host does is assets/host/shinykit-tls.sh; this only explains it before deploy.
 */
import type { Config } from '../../lib/config/index.js';
import { LEGO } from '../../lib/host-bootstrap.js';
import { acmeProfile, siteMode, type SiteMode } from '../../lib/site.js';

export interface TlsPlan {
  readonly mode: SiteMode;
  readonly site: string;
  /** The ACME profile requested; '' = the CA's default (90 days at Let's Encrypt). */
  readonly profile: string;
  readonly client: string;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

export function describeTls(cfg: Config): TlsPlan {
  const mode = siteMode(cfg);
  const profile = acmeProfile(cfg);
  const notes: string[] = [];
  const warnings: string[] = [];
  const site = mode === 'domain' ? `https://${cfg.domain}/` : mode === 'ip' ? 'https://<elastic-ip>/' : 'https://<elastic-ip>.sslip.io/';
  if (mode === 'ip') {
    notes.push(
      "a Let's Encrypt certificate for the Elastic IP itself (shortlived profile: valid 160 hours, renewed with about half",
      'of that left, so roughly every 3 days); no DNS to set up. Browsers show the address, not a name.',
    );
  } else if (mode === 'domain') {
    notes.push(
      `a Let's Encrypt certificate for ${cfg.domain} (${profile ? `profile ${profile}` : 'default profile: 90 days, renewed with 30 days left'}),`,
      `issued once its DNS A record points at the Elastic IP${cfg.hostedZone ? ` (the stack creates it in ${cfg.hostedZone})` : ' (create it at your DNS provider)'}.`,
    );
  } else {
    warnings.push(
      "sslip.io is not on the Public Suffix List: every sslip.io user in the world shares one Let's Encrypt quota",
      '(certificates per registered domain), which has run out again and again. Until it is free the site serves a',
      'self-signed placeholder. Remove tls.sslip to certify the Elastic IP itself, or set domain.',
    );
  }
  notes.push(
    'Until the first certificate arrives nginx serves a self-signed placeholder with no HSTS; HSTS starts at 5 minutes',
    'and becomes 2 years once a trusted certificate has been served for a week.',
    'The ACME account and certificate are kept in Parameter Store (one advanced-tier SecureString, about $0.05 a month),',
    "so a replaced host serves them at once and asks Let's Encrypt only when renewal is due (5 duplicate certificates a week is the limit).",
    `tls.email (${cfg.tls.email}) is the ACME account's contact; Let's Encrypt sends no expiry mail since June 2025: \`shinykit doctor\` reports expiry.`,
  );
  return { mode, site, profile, client: `lego ${LEGO.version} (release tarball, SHA-256 pinned per architecture)`, notes, warnings };
}

export function formatTls(t: TlsPlan): string[] {
  const lines = [`  ${t.site} via ${t.client}`];
  for (const n of t.notes) lines.push(`    ${n}`);
  if (t.warnings.length > 0) {
    lines.push(`    warning: ${t.warnings[0]}`);
    for (const w of t.warnings.slice(1)) lines.push(`    ${w}`);
  }
  return lines;
}
