import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { CHECKS, formatDoctor, runChecks, type DoctorDeps } from '../../cli/doctor/index.js';
import { parseEndpoint } from '../../cli/doctor/site.js';

const YAML = (extra = '') => `
name: lab
${extra}
tls: { email: ops@lab.org }
cognito: { groups: { staff: {} } }
apps: [{ id: one, context: a, groups: [staff] }]
`;

const unused = () => {
  throw new Error('no AWS in this test');
};

function deps(over: Partial<DoctorDeps> & { extra?: string } = {}): DoctorDeps {
  return {
    config: parseConfig(YAML(over.extra)),
    outputs: { values: { SiteHostname: 'apps.lab.org', HostPublicIp: '198.51.100.9' }, source: 'test' },
    cognito: unused,
    ecr: unused,
    ssm: unused,
    resolve: async () => ['198.51.100.9'],
    images: {},
    now: () => new Date('2026-11-22T00:00:00Z'),
    certWarnDays: 14,
    ...over,
  };
}

const dns = CHECKS.filter((c) => c.id === 'dns');

describe('doctor: DNS check with an injected resolver', () => {
  it('passes when the name resolves to the host address among others', async () => {
    const [r] = await runChecks(deps({ resolve: async () => ['192.0.2.1', '198.51.100.9'] }), dns);
    expect(r).toMatchObject({ status: 'ok', detail: 'apps.lab.org → 198.51.100.9' });
  });

  it('a name that does not exist fails with the A-record fix for a custom domain', async () => {
    const nx = Object.assign(new Error('queryA ENOTFOUND apps.lab.org'), { code: 'ENOTFOUND' });
    const [r] = await runChecks(deps({ extra: 'domain: apps.lab.org', resolve: async () => Promise.reject(nx) }), dns);
    expect(r!.status).toBe('fail');
    expect(r!.detail).toContain('resolves to nothing');
    expect(r!.fix).toContain('create a DNS A record apps.lab.org → 198.51.100.9');
  });

  it('with a hosted zone, the fix is to redeploy and wait, not to create the record by hand', async () => {
    const [r] = await runChecks(deps({ extra: 'domain: apps.lab.org\nhostedZone: lab.org', resolve: async () => ['192.0.2.1'] }), dns);
    expect(r!.fix).toContain('the stack creates this record in lab.org');
  });

  it('a check whose output is missing is skipped, not failed', async () => {
    const [r] = await runChecks(deps({ outputs: { values: {}, source: 'test' } }), dns);
    expect(r).toMatchObject({ status: 'skip', detail: 'needs the SiteHostname output (see the first check)' });
  });
});

describe('doctor: output', () => {
  it('prints one line per check and the fix under failures and warnings only', () => {
    const text = formatDoctor(
      {
        ok: false,
        failed: 1,
        warnings: 1,
        checks: [
          { id: 'a', title: 'A', status: 'ok', detail: 'fine' },
          { id: 'b', title: 'B', status: 'fail', detail: 'broken', fix: 'mend it' },
          { id: 'c', title: 'C', status: 'warn', detail: 'soon', fix: 'renew' },
          { id: 'd', title: 'D', status: 'skip', detail: 'needs X' },
        ],
      },
      false,
    );
    expect(text).toBe(['✓ A: fine', '✗ B: broken', '    fix: mend it', '! C: soon', '    fix: renew', '- D: needs X', '', '1 of 4 checks failed'].join('\n'));
  });

  it('parses --connect endpoints, IPv6 included', () => {
    expect(parseEndpoint('127.0.0.1:8443')).toEqual({ host: '127.0.0.1', port: 8443 });
    expect(parseEndpoint('[::1]:443')).toEqual({ host: '::1', port: 443 });
    expect(parseEndpoint('host')).toBeUndefined();
    expect(parseEndpoint('host:99999')).toBeUndefined();
  });
});
