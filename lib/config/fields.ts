/**
 * Field types shared by more than one section of shinykit.yaml: names, addresses,
 * ports and URLs, each with the message a user sees when a value does not fit.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

/** A DNS label: what stack prefixes, app ids and ECR path parts must be. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_HINT = 'lowercase letters, digits and hyphens, 1-63 characters, no leading or trailing hyphen';
/** Cognito group names become ShinyProxy roles and YAML list items: keep them plain. */
export const GROUP_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
export const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const port = z
  .number({ error: 'expected a number between 1 and 65535' })
  .int({ error: 'expected a whole number between 1 and 65535' })
  .min(1, { error: 'expected a number between 1 and 65535' })
  .max(65535, { error: 'expected a number between 1 and 65535' });

export const dnsLabel = (what: string) =>
  z.string({ error: `expected ${what} (${DNS_LABEL_HINT})` }).regex(DNS_LABEL, {
    error: `expected ${what} (${DNS_LABEL_HINT})`,
  });

export const hostname = z
  .string({ error: 'expected a DNS name such as apps.example.org' })
  .regex(HOSTNAME, { error: 'expected a lowercase DNS name such as apps.example.org' });

export const groupName = z
  .string({ error: 'expected a group name' })
  .regex(GROUP_NAME, { error: 'expected a group name of letters, digits, "_", "." or "-" (1-128 characters)' });

export const cidr = z.string({ error: 'expected an IPv4 CIDR such as 203.0.113.7/32' }).refine(isIpv4Cidr, {
  error: 'expected an IPv4 CIDR such as 203.0.113.7/32 (address/prefix, prefix 0-32)',
});

export const httpsUrl = (what: string) =>
  z.string({ error: `expected ${what} (an https:// URL)` }).refine(isPlainHttpsUrl, {
    error: `expected ${what}: an https:// URL without user info, query or fragment`,
  });

/** Returns a check that reports a group name not declared under cognito.groups, naming the declared ones. */
export function groupChecker(cog: { groups: Record<string, unknown> }, ctx: z.RefinementCtx): (path: PropertyKey[], g: string) => void {
  const groups = new Set(Object.keys(cog.groups));
  const declared = [...groups].join(', ') || '(none)';
  return (path, g) => {
    if (!groups.has(g)) {
      ctx.addIssue({ code: 'custom', path, message: `unknown group "${g}"; declare it under cognito.groups (declared: ${declared})` });
    }
  };
}

export function isIpv4Cidr(value: string): boolean {
  const [addr, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || addr === undefined || prefix === undefined) return false;
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return false;
  return isIP(addr) === 4;
}

export function isPlainHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password && !url.search && !url.hash && !/[?#]/.test(value);
  } catch {
    return false;
  }
}
