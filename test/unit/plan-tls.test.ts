/** plan's TLS section: which certificate each site mode gets, and the sslip.io warning. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { describeTls, formatTls } from '../../cli/plan/tls.js';

const cfg = (tls: string, extra = '') =>
  parseConfig(`name: analytics
${extra}
tls:
  email: ops@example.org
${tls}
cognito:
  groups:
    g: { description: G }
apps:
  - { id: a, kind: shiny, context: ./a, groups: [g] }
`);

describe('plan: TLS section', () => {
  it('a domain gets the CA default (90 days) unless tls.profile names one, and no warning', () => {
    const t = describeTls(cfg('', 'domain: apps.example.org'));
    expect(t).toMatchObject({ mode: 'domain', site: 'https://apps.example.org/', profile: '', warnings: [] });
    expect(formatTls(t).join('\n')).toContain('default profile: 90 days, renewed with 30 days left');
    expect(describeTls(cfg('  profile: shortlived', 'domain: apps.example.org')).notes.join(' ')).toContain('profile shortlived');
  });

  it('tls.sslip warns about the quota every sslip.io user shares, and says how to get out of it', () => {
    const text = formatTls(describeTls(cfg('  sslip: true'))).join('\n');
    expect(text).toContain('    warning: sslip.io is not on the Public Suffix List');
    expect(text).toContain('Remove tls.sslip to certify the Elastic IP itself, or set domain.');
  });
});
