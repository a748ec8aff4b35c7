/**
 * The site's name and the ACME profile the host asks for, from the config: no domain means the
 * Elastic IP itself, which Let's Encrypt certifies only under its shortlived profile.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { acmeProfile, siteHostname, siteMode } from '../../lib/site.js';
import { problemsOf } from '../support/config.js';

const base = (tls: string, extra = '') => `name: analytics
${extra}
tls:
${tls}
cognito:
  groups:
    g: { description: G }
apps:
  - { id: a, kind: shiny, context: ./a, groups: [g] }
`;

describe('site name and ACME profile', () => {
  it('without domain the site is the Elastic IP and the profile is shortlived', () => {
    const cfg = parseConfig(base('  email: ops@example.org'));
    expect(siteMode(cfg)).toBe('ip');
    expect(siteHostname(cfg, '203.0.113.10')).toBe('203.0.113.10');
    expect(acmeProfile(cfg)).toBe('shortlived');
  });

  it('tls.sslip: true keeps the <ip>.sslip.io name, with the CA default profile', () => {
    const cfg = parseConfig(base('  email: ops@example.org\n  sslip: true'));
    expect(siteMode(cfg)).toBe('sslip');
    expect(acmeProfile(cfg)).toBe('');
  });

  it('with domain the CA default applies unless tls.profile chooses one', () => {
    expect(acmeProfile(parseConfig(base('  email: ops@example.org', 'domain: apps.example.org')))).toBe('');
    expect(acmeProfile(parseConfig(base('  email: ops@example.org\n  profile: tlsserver', 'domain: apps.example.org')))).toBe('tlsserver');
  });

  it('refuses a non-shortlived profile for an IP site, naming the fix', () => {
    const problems = problemsOf(base('  email: ops@example.org\n  profile: classic'));
    expect(problems.map((p) => `${p.path}: ${p.message}`).join('\n')).toMatch(/tls\.profile.*only under the shortlived profile: remove tls\.profile, or set domain/);
  });

  it('refuses tls.sslip together with domain, and an unknown profile', () => {
    expect(problemsOf(base('  email: ops@example.org\n  sslip: true', 'domain: apps.example.org')).map((p) => p.message).join('\n')).toMatch(
      /tls\.sslip applies only without domain/,
    );
    expect(problemsOf(base('  email: ops@example.org\n  profile: forever')).map((p) => p.message).join('\n')).toMatch(
      /expected one of: classic, tlsserver, shortlived/,
    );
  });
});
