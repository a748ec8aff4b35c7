/** ShinyProxy versions: the default the host installs, the oldest the kit works with, and comparing them. */

export const SEMVER = /^\d+\.\d+\.\d+$/;

/**
 * 3.2.4: a release public provisioning scripts download (the GitHub release asset and
 * shinyproxy.io/downloads); no public source names a 3.2.3 jar (checked 2026-12-02).
 */
export const DEFAULT_SHINYPROXY_VERSION = '3.2.4';
/**
 * The oldest ShinyProxy the rendered application.yml works with: it sets
 * `proxy.openid.enforce-https-redirect-uri` (ShinyProxy 3.2, DESIGN.md); older
 * releases ignore it, build an http:// redirect URI behind nginx, and Cognito
 * refuses the login with redirect_mismatch.
 */
export const MIN_SHINYPROXY_VERSION = '3.2.0';

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b` (both major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** 3.2 → "3.2.0", 3 → "3.0.0": the version a user most likely meant by an unquoted number. */
export function versionFromNumber(n: number): string {
  const parts = String(n).split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

