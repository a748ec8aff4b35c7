/**
 * shinykit.yaml schema: the bundled file is valid, defaults apply, derived
 * helpers behave, and every invalid file is rejected with a message naming the
 * path (and line) of the problem.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appPort,
  cognitoDomainPrefix,
  groupNames,
  hostArchitecture,
  loadConfig,
  parseConfig,
  repositoryName,
  targetPlatform,
} from '../../lib/config/index.js';
import { problemsOf } from '../support/config.js';
import { appKey, repositoryOutputKey, requiredOutputKeys } from '../../lib/outputs.js';

const BUNDLED = join(import.meta.dirname, '../../shinykit.yaml');

/** A small valid file; each invalid case edits it textually. */
const GOOD = `name: analytics
tls: { email: ops@example.org }
cognito:
  groups:
    admins: { description: All apps, precedence: 1 }
    users: {}
apps:
  - id: one
    context: apps/one
    groups: [admins, users]
  - id: two
    kind: dash
    context: apps/two
    groups: [users]
`;

describe('the bundled shinykit.yaml', () => {
  it('is valid and names two apps, three groups and the analytics project', () => {
    const cfg = loadConfig(BUNDLED);
    expect(cfg.name).toBe('analytics');
    expect(cfg.apps.map((a) => a.id)).toEqual(['shiny-demo', 'dash-demo']);
    expect(groupNames(cfg)).toEqual(['admin_users', 'shiny_users', 'dash_users']);
    expect(cfg.domain).toBeUndefined();
    expect(cfg.host.sshCidr).toBeUndefined();
  });
});

describe('defaults and derived values', () => {
  const cfg = parseConfig(GOOD);

  it('fills host, cognito and shinyproxy defaults', () => {
    expect(cfg.host).toEqual({ instanceType: 't3.small', volumeGiB: 30, allowSshFromAnywhere: false });
    expect(cfg.cognito.mfa).toBe('required');
    expect(cfg.cognito.featurePlan).toBe('essentials');
    expect(cfg.shinyproxy).toEqual({ version: '3.2.4', title: 'Shiny apps', adminGroups: [], allowUnverifiedDownload: false });
    expect(cfg.apps[0]!.kind).toBe('shiny');
  });

  it('derives ports, prefix, repository names and output keys', () => {
    expect(appPort(cfg.apps[0]!)).toBe(3838);
    expect(appPort(cfg.apps[1]!)).toBe(8050);
    // Derived: <name>-login-<first UUID group of the data stack's StackId>; before a deploy the unknown part is named.
    expect(cognitoDomainPrefix(cfg)).toBe('analytics-login-<data-stack-id>');
    expect(cognitoDomainPrefix(cfg, 'arn:aws:cloudformation:eu-west-1:123456789012:stack/analytics-data/51af3dc0-da77-11e4-872e-1234567890ab')).toBe('analytics-login-51af3dc0');
    expect(repositoryName(cfg, cfg.apps[0]!)).toBe('analytics/one');
    expect(appKey('ridge-lasso')).toBe('RidgeLasso');
    expect(repositoryOutputKey('shiny-app')).toBe('RepositoryShinyApp');
    expect(requiredOutputKeys(cfg)).toEqual(expect.arrayContaining(['UserPoolId', 'LogoutUrl', 'RepositoryOne', 'RepositoryTwo']));
  });

  it('maps Graviton instance types to arm64 and the rest to x86_64', () => {
    const arch = (t: string) => hostArchitecture(parseConfig(`${GOOD}host: { instanceType: ${t} }\n`));
    expect(arch('t4g.small')).toBe('arm64');
    expect(arch('m7g.large')).toBe('arm64');
    expect(arch('c6gn.xlarge')).toBe('arm64');
    expect(arch('t3.small')).toBe('x86_64');
    expect(arch('m5.large')).toBe('x86_64');
    expect(targetPlatform(parseConfig(`${GOOD}host: { instanceType: t4g.micro }\n`))).toBe('linux/arm64');
  });

  it('accepts domain inside hostedZone, the zone apex itself, and a /32 SSH CIDR', () => {
    expect(parseConfig(`${GOOD}domain: apps.example.org\nhostedZone: example.org\n`).hostedZone).toBe('example.org');
    expect(parseConfig(`${GOOD}domain: example.org\nhostedZone: example.org\n`).domain).toBe('example.org');
    expect(parseConfig(`${GOOD}host: { sshCidr: 203.0.113.7/32 }\n`).host.sshCidr).toBe('203.0.113.7/32');
  });
});

/** [case, text, path the message must name, words the message must contain] */
const INVALID: [string, string, string, RegExp][] = [
  ['unknown group in an app', GOOD.replace('groups: [users]\n', 'groups: [nobody]\n'), 'apps[1].groups[0]', /unknown group "nobody".*declared: admins, users/],
  ['unknown admin group', `${GOOD}shinyproxy: { adminGroups: [root] }\n`, 'shinyproxy.adminGroups[0]', /unknown group "root"/],
  ['duplicate app id', GOOD.replace('- id: two', '- id: one'), 'apps[1].id', /duplicate app id "one".*apps\[0\]\.id/],
  ['hostedZone without domain', `${GOOD}hostedZone: example.org\n`, 'hostedZone', /needs domain/],
  ['domain outside the zone', `${GOOD}domain: apps.example.net\nhostedZone: example.org\n`, 'domain', /not inside hostedZone "example\.org"/],
  ['domain that only ends with the zone text', `${GOOD}domain: badexample.org\nhostedZone: example.org\n`, 'domain', /not inside hostedZone/],
  ['bad CIDR (prefix too long)', `${GOOD}host: { sshCidr: 203.0.113.7/33 }\n`, 'host.sshCidr', /IPv4 CIDR/],
  ['bad CIDR (no prefix)', `${GOOD}host: { sshCidr: 203.0.113.7 }\n`, 'host.sshCidr', /IPv4 CIDR/],
  ['bad CIDR (not an address)', `${GOOD}host: { sshCidr: 300.1.1.1/32 }\n`, 'host.sshCidr', /IPv4 CIDR/],
  ['port out of range', GOOD.replace('    kind: dash\n', '    kind: dash\n    port: 70000\n'), 'apps[1].port', /between 1 and 65535/],
  ['port not a number', GOOD.replace('    kind: dash\n', '    kind: dash\n    port: http\n'), 'apps[1].port', /between 1 and 65535/],
  ['port not whole', GOOD.replace('    kind: dash\n', '    kind: dash\n    port: 80.5\n'), 'apps[1].port', /whole number/],
  ['unknown top-level key', `${GOOD}domian: apps.example.org\n`, 'domian', /unknown key "domian" \(allowed: name, region, domain/],
  ['unknown app key', GOOD.replace('    kind: dash\n', '    kind: dash\n    colour: red\n'), 'apps[1].colour', /unknown key "colour"/],
  ['unknown group setting', GOOD.replace('users: {}', 'users: { desc: x }'), 'cognito.groups.users.desc', /unknown key "desc" \(allowed: description, precedence\)/],
  ['custom kind without port', GOOD.replace('kind: dash', 'kind: custom'), 'apps[1].port', /custom.*no default/],
  ['unknown kind', GOOD.replace('kind: dash', 'kind: streamlit'), 'apps[1].kind', /one of: shiny, dash, custom/],
  ['reserved word in domain prefix', `${GOOD.replace('cognito:\n', 'cognito:\n  domainPrefix: my-cognito-login\n')}`, 'cognito.domainPrefix', /Cognito reserves/],
  ['reserved word in derived prefix', GOOD.replace('name: analytics', 'name: amazonia'), 'cognito.domainPrefix', /reserves.*set cognito\.domainPrefix/],
  ['domain prefix with uppercase', GOOD.replace('cognito:\n', 'cognito:\n  domainPrefix: Login\n'), 'cognito.domainPrefix', /domain prefix/],
  ['name not a DNS label', GOOD.replace('name: analytics', 'name: My_Project'), 'name', /project name/],
  ['name too long', GOOD.replace('name: analytics', `name: ${'a'.repeat(41)}`), 'name', /at most 40/],
  ['app id with trailing hyphen', GOOD.replace('id: one', 'id: one-'), 'apps[0].id', /app id/],
  ['missing tls', GOOD.replace('tls: { email: ops@example.org }\n', ''), 'tls', /required/],
  ['bad email', GOOD.replace('ops@example.org', 'ops-at-example'), 'tls.email', /email address/],
  ['bad mfa', GOOD.replace('cognito:\n', 'cognito:\n  mfa: sometimes\n'), 'cognito.mfa', /off, optional, required/],
  ['bad feature plan', GOOD.replace('cognito:\n', 'cognito:\n  featurePlan: gold\n'), 'cognito.featurePlan', /lite, essentials, plus/],
  ['no groups', GOOD.replace(/  groups:\n    admins.*\n    users: \{\}\n/, '  groups: {}\n'), 'cognito.groups', /at least one group/],
  ['app without groups', GOOD.replace('groups: [users]\n', 'groups: []\n'), 'apps[1].groups', /at least one group/],
  ['no apps', GOOD.slice(0, GOOD.indexOf('apps:')) + 'apps: []\n', 'apps', /at least one app/],
  ['volume too small', `${GOOD}host: { volumeGiB: 4 }\n`, 'host.volumeGiB', /at least 8 GiB/],
  ['bad instance type', `${GOOD}host: { instanceType: large }\n`, 'host.instanceType', /EC2 instance type/],
  ['bad memory', GOOD.replace('    kind: dash\n', '    kind: dash\n    memory: lots\n'), 'apps[1].memory', /512m or 2g/],
  ['zero cpus', GOOD.replace('    kind: dash\n', '    kind: dash\n    cpus: 0\n'), 'apps[1].cpus', /greater than 0/],
  ['bad region', `${GOOD}region: europe\n`, 'region', /AWS region/],
  ['bad domain', `${GOOD}domain: Apps.Example.org\n`, 'domain', /lowercase DNS name/],
  ['bad shinyproxy version', `${GOOD}shinyproxy: { version: latest }\n`, 'shinyproxy.version', /3\.2\.4/],
  ['shinyproxy older than 3.2', `${GOOD}shinyproxy: { version: 3.1.1 }\n`, 'shinyproxy.version', /3\.2\.0 or later/],
  ['sha256 that is not 64 hex digits', `${GOOD}shinyproxy: { sha256: abc123 }\n`, 'shinyproxy.sha256', /64 hex digits/],
  ['bad group name', GOOD.replace('users: {}', '"a b": {}'), 'cognito.groups', /group name/],
];

describe('invalid files are rejected with the path of the problem', () => {
  it.each(INVALID)('%s', (_case, text, path, message) => {
    const problems = problemsOf(text);
    const match = problems.find((p) => p.path === path || p.path.startsWith(`${path}.`));
    expect(match, `problems: ${JSON.stringify(problems)}`).toBeDefined();
    expect(match!.message).toMatch(message);
  });
});

describe('error reporting', () => {
  it('reports every problem at once, each with its line', () => {
    const text = GOOD.replace('groups: [users]\n', 'groups: [nobody]\n').replace('id: one', 'id: One') + 'hostedZone: example.org\n';
    const problems = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(['apps[0].id', 'apps[1].groups[0]', 'hostedZone'].sort());
    expect(problems.find((p) => p.path === 'apps[0].id')!.line).toBe(8);
    expect(problems.find((p) => p.path === 'hostedZone')!.line).toBe(15);
  });

  it('names the file, path and line in the error message', () => {
    try {
      parseConfig(GOOD.replace('kind: dash', 'kind: custom'), 'site.yaml');
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toContain('site.yaml is not a valid shinykit config');
      expect((err as Error).message).toContain('apps[1].port: expected a port: apps of kind "custom" have no default (site.yaml line 11)');
    }
  });

  it('reports YAML syntax errors and duplicate keys with a line', () => {
    const syntax = problemsOf('name: [unclosed\n');
    expect(syntax[0]!.message).toMatch(/YAML syntax/);
    const dup = problemsOf(`${GOOD}name: again\n`);
    expect(dup[0]!.message).toMatch(/YAML syntax/);
    expect(dup[0]!.line).toBe(15);
  });

  it('explains a missing file and how to create one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-config-'));
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/file not found; create one with `shinykit init` or pass --config/);
  });

  it('does not accept the bundled file with a stray key (strict schema)', () => {
    const text = readFileSync(BUNDLED, 'utf8').replace('tls:\n', 'tls:\n  staging: true\n');
    expect(problemsOf(text).map((p) => p.path)).toEqual(['tls.staging']);
  });
});
