/**
 * The site's public name, shared by the data stack (Cognito URLs, outputs) and the
 * host stack (bootstrap, certificate), which each derive it from the config.
 */
import { Fn } from 'aws-cdk-lib';
import type { Config } from './config/index.js';

/** Which kind of name the site has, and so which certificate the host asks for. */
export type SiteMode = 'domain' | 'ip' | 'sslip';

export function siteMode(cfg: Pick<Config, 'domain' | 'tls'>): SiteMode {
  if (cfg.domain) return 'domain';
  return cfg.tls.sslip ? 'sslip' : 'ip';
}

/**
 * `domain` when set; otherwise the Elastic IP itself (Let's Encrypt issues IP-address
 * certificates under its shortlived profile), or `<ip>.sslip.io` when `tls.sslip` asks for a
 * name. Cognito accepts any absolute https URI as a callback URL (IP hosts are not excluded:
 * CreateUserPoolClient, CallbackURLs), so the IP works for the login redirect too.
 */
export function siteHostname(cfg: Pick<Config, 'domain' | 'tls'>, publicIp: string): string {
  switch (siteMode(cfg)) {
    case 'domain':
      return cfg.domain!;
    case 'sslip':
      return Fn.join('', [publicIp, '.sslip.io']);
    default:
      return publicIp;
  }
}

/**
 * The ACME profile the host requests: `shortlived` for an IP (the only profile Let's Encrypt
 * issues IP certificates under), else `tls.profile`, else '' (the CA's default, 90 days).
 */
export function acmeProfile(cfg: Pick<Config, 'domain' | 'tls'>): string {
  if (siteMode(cfg) === 'ip') return 'shortlived';
  return cfg.tls.profile ?? '';
}

/** `https://<site>` with no trailing slash (Cognito compares sign-out URLs byte for byte). */
export function siteUrl(hostname: string): string {
  return Fn.join('', ['https://', hostname]);
}
