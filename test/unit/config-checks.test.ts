/**
 * The validate rules that catch, before AWS does, what used to fail only at
 * deploy, at first push or at first login: an instance type that does not exist,
 * a ShinyProxy too old for the kit's login, SSH open to the world, and build
 * inputs that are not on disk. Each names the field, the line and the fix.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, instanceTypeProblem, parseConfig, type ConfigProblem } from '../../lib/config/index.js';
import { checkConfigFiles, loadCheckedConfig } from '../../cli/lib/config-files.js';
import { problemsOf } from '../support/config.js';

const BASE = ['name: lab', 'tls: { email: ops@lab.org }', 'cognito: { groups: { staff: {} } }', 'apps: [{ id: one, context: one, groups: [staff] }]'];
const withLines = (...lines: string[]) => [...BASE, ...lines].join('\n');
const only = (problems: ConfigProblem[]) => {
  expect(problems).toHaveLength(1);
  return problems[0]!;
};

describe('host.instanceType must exist (cfn-lint\'s list of EC2 instance types)', () => {
  it('refuses t3.smal at its line, suggesting t3.small and listing the family\'s sizes', () => {
    const p = only(problemsOf(withLines('host:', '  instanceType: t3.smal')));
    expect(p.path).toBe('host.instanceType');
    expect(p.line).toBe(6);
    expect(p.message).toContain('there is no t3.smal (did you mean t3.small?)');
    expect(p.message).toContain('t3 comes in 2xlarge, large, medium, micro, nano, small, xlarge');
  });

  it('refuses an unknown family, suggesting the nearest real type', () => {
    expect(instanceTypeProblem('t9.small')).toMatch(/no EC2 instance type t9\.small \(did you mean t\d\.small\?\)/);
    expect(instanceTypeProblem('zz99.huge')).not.toContain('did you mean');
  });

  it('accepts real types, including Graviton and hyphenated families', () => {
    for (const t of ['t3.small', 't4g.small', 'm7i-flex.large', 'c7i.metal-24xl']) expect(instanceTypeProblem(t)).toBeUndefined();
    expect(parseConfig(withLines('host: { instanceType: t4g.medium }')).host.instanceType).toBe('t4g.medium');
  });
});

describe('shinyproxy.version must be one the kit works with (>= 3.2.0)', () => {
  it('refuses 3.1.0: login would fail with redirect_mismatch', () => {
    const p = only(problemsOf(withLines('shinyproxy:', '  version: "3.1.0"')));
    expect(p.path).toBe('shinyproxy.version');
    expect(p.line).toBe(6);
    expect(p.message).toContain('shinykit needs ShinyProxy 3.2.0 or later');
    expect(p.message).toContain('redirect_mismatch');
  });

  it('an unquoted 3.2 (a YAML number) gets a hint to quote it', () => {
    const p = only(problemsOf(withLines('shinyproxy: { version: 3.2 }')));
    expect(p.message).toBe('YAML reads 3.2 as a number: quote the version, such as "3.2.0"');
  });

  it('accepts 3.2.0 and later', () => {
    expect(parseConfig(withLines('shinyproxy: { version: "3.2.0" }')).shinyproxy.version).toBe('3.2.0');
    expect(parseConfig(withLines('shinyproxy: { version: "3.10.1" }')).shinyproxy.version).toBe('3.10.1');
  });
});

describe('host.sshCidr wider than /16 needs host.allowSshFromAnywhere', () => {
  it('refuses 0.0.0.0/0, naming the whole internet and the fixes', () => {
    const p = only(problemsOf(withLines('host:', '  sshCidr: 0.0.0.0/0')));
    expect(p.path).toBe('host.sshCidr');
    expect(p.line).toBe(6);
    expect(p.message).toContain('opens SSH (port 22) to the whole internet');
    expect(p.message).toContain('SSM Session Manager');
    expect(p.message).toContain('host.allowSshFromAnywhere: true');
  });

  it('refuses a very wide range (a /8) with its size', () => {
    expect(only(problemsOf(withLines('host: { sshCidr: 10.0.0.0/8 }'))).message).toContain('16,777,216 addresses');
  });

  it('accepts a narrow range, and a wide one when acknowledged', () => {
    expect(parseConfig(withLines('host: { sshCidr: 198.51.100.0/24 }')).host.sshCidr).toBe('198.51.100.0/24');
    const open = parseConfig(withLines('host: { sshCidr: 0.0.0.0/0, allowSshFromAnywhere: true }'));
    expect([open.host.sshCidr, open.host.allowSshFromAnywhere]).toEqual(['0.0.0.0/0', true]);
  });

  it('::/0 is refused once, as not an IPv4 CIDR', () => {
    expect(only(problemsOf(withLines('host: { sshCidr: "::/0" }'))).message).toContain('expected an IPv4 CIDR');
  });
});

describe('build inputs on disk, relative to the config file (not the working directory)', () => {
  const project = (files: Record<string, string>, config: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-files-'));
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), text);
    }
    writeFileSync(join(dir, 'shinykit.yaml'), config);
    return join(dir, 'shinykit.yaml');
  };

  it('accepts a context folder with a Dockerfile next to the config', () => {
    const file = project({ 'one/Dockerfile': 'FROM scratch\n' }, withLines());
    expect(checkConfigFiles(parseConfig(withLines()), file)).toEqual([]);
  });

  it('a missing context folder is apps[0].context at its line', () => {
    const file = project({}, withLines());
    const [p] = checkConfigFiles(parseConfig(withLines()), file);
    expect(p).toMatchObject({ path: 'apps[0].context', line: 4 });
    expect(p!.message).toMatch(/no folder .*one \(app one\); set context to the app's folder, relative to/);
  });

  it('a context without a Dockerfile says to add one or set dockerfile', () => {
    const file = project({ 'one/app.R': '' }, withLines());
    const [p] = checkConfigFiles(parseConfig(withLines()), file);
    expect(p!.path).toBe('apps[0].context');
    expect(p!.message).toContain('no Dockerfile in');
    expect(p!.message).toContain('set apps[0].dockerfile');
  });

  it('a dockerfile that is not there is apps[0].dockerfile at its line', () => {
    const text = [...BASE.slice(0, 3), 'apps:', '  - id: one', '    context: one', '    dockerfile: docker/One.Dockerfile', '    groups: [staff]'].join('\n');
    const file = project({ 'one/Dockerfile': '' }, text);
    const [p] = checkConfigFiles(parseConfig(text), file);
    expect(p).toMatchObject({ path: 'apps[0].dockerfile', line: 7 });
  });

  it('loadCheckedConfig throws one ConfigError (exit 2) listing them', () => {
    const file = project({}, withLines());
    expect(() => loadCheckedConfig(file)).toThrow(ConfigError);
  });
});
