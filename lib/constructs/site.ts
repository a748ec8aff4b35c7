/**
 * The site's public name, shared by the data stack (Cognito URLs, outputs) and the
 * host stack (bootstrap, certificate), which each derive it from the config.
 */
import { Fn } from 'aws-cdk-lib';
import type { Config } from '../config.js';

/** `domain` when set; otherwise `<elastic-ip>.sslip.io`, which resolves to the IP with no DNS setup. */
export function siteHostname(cfg: Pick<Config, 'domain'>, publicIp: string): string {
  return cfg.domain ?? Fn.join('', [publicIp, '.sslip.io']);
}

/** `https://<site>` with no trailing slash (Cognito compares sign-out URLs byte for byte). */
export function siteUrl(hostname: string): string {
  return Fn.join('', ['https://', hostname]);
}
