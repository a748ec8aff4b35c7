import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('shinykit validate (built CLI)', () => {
  it('accepts the bundled shinykit.yaml with exit 0', async () => {
    const res = await runCli(['validate']);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(/shinykit\.yaml is valid: project analytics, 2 app\(s\)/);
  });

  it('lists every problem with its path and line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-validate-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'name: analytics',
        'tls: { email: ops@example.org }',
        'cognito:',
        '  groups: { users: {} }',
        'apps:',
        '  - id: one',
        '    context: .',
        '    groups: [users]',
        '    port: 70000',
        '  - id: two',
        '    context: .',
        '    groups: [nobody]',
        '    colour: red',
      ].join('\n'),
    );
    const res = await runCli(['--config', file, 'validate']);
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('(3 problems)');
    expect(res.stderr).toContain(`apps[0].port: expected a number between 1 and 65535 (${file} line 9)`);
    expect(res.stderr).toContain(`apps[1].groups[0]: unknown group "nobody"; declare it under cognito.groups (declared: users) (${file} line 12)`);
    expect(res.stderr).toMatch(/apps\[1\]\.colour: unknown key "colour" \(allowed: id, kind, .*\) \(.* line 13\)/);
    expect(res.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace without --debug
  });

  it('--json reports problems as data on stdout and still exits 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-validate-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: analytics\n');
    const res = await runCli(['--config', file, 'validate', '--json']);
    expect(res.exitCode).toBe(2);
    const body = JSON.parse(res.stdout) as { valid: boolean; problems: Array<{ path: string; message: string }> };
    expect(body.valid).toBe(false);
    expect(body.problems.map((p) => p.path)).toEqual(expect.arrayContaining(['tls', 'cognito', 'apps']));
    expect(body.problems.find((p) => p.path === 'tls')?.message).toBe('is required');
  });

  it('a missing config file is a usage error that says how to create one', async () => {
    const res = await runCli(['--config', '/nonexistent/shinykit.yaml', 'validate']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('/nonexistent/shinykit.yaml');
    expect(res.stderr).toContain('shinykit init');
  });

  it('an unknown option or command exits 2', async () => {
    expect((await runCli(['validate', '--nope'])).exitCode).toBe(2);
    expect((await runCli(['frobnicate'])).exitCode).toBe(2);
  });

  describe('rules that catch what AWS, push or the first login would (exit 2, field, line, fix)', () => {
    /** A project whose one app has a Dockerfile, with `extra` lines appended to a valid config. */
    const project = (extra: string[], opts: { dockerfile?: boolean } = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'shinykit-rules-'));
      mkdirSync(join(dir, 'apps', 'one'), { recursive: true });
      if (opts.dockerfile !== false) writeFileSync(join(dir, 'apps', 'one', 'Dockerfile'), 'FROM scratch\n');
      const file = join(dir, 'shinykit.yaml');
      writeFileSync(file, ['name: lab', 'tls: { email: ops@lab.org }', 'cognito: { groups: { staff: {} } }', 'apps:', '  - { id: one, context: apps/one, groups: [staff] }', ...extra].join('\n'));
      return file;
    };
    // Run from another folder: paths in the config resolve against the config's folder.
    const validate = (file: string) => runCli(['--config', file, 'validate'], { cwd: tmpdir() });

    it('accepts the project when everything exists', async () => {
      const res = await validate(project([]));
      expect(res.stderr).toBe('');
      expect(res.exitCode).toBe(0);
    });

    it('an app context without a Dockerfile', async () => {
      const file = project([], { dockerfile: false });
      const res = await validate(file);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toMatch(new RegExp(`apps\\[0\\]\\.context: no Dockerfile in .*apps/one \\(app one\\); add one .* \\(${file} line 5\\)`));
    });

    it('an instance type that does not exist', async () => {
      const res = await validate(project(['host: { instanceType: t3.smal }']));
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toMatch(/host\.instanceType: there is no t3\.smal \(did you mean t3\.small\?\).* line 6\)/);
    });

    it('a ShinyProxy older than 3.2.0, and an unquoted version number', async () => {
      const old = await validate(project(['shinyproxy: { version: "3.1.0" }']));
      expect(old.exitCode).toBe(2);
      expect(old.stderr).toMatch(/shinyproxy\.version: shinykit needs ShinyProxy 3\.2\.0 or later .*redirect_mismatch.* line 6\)/);
      const number = await validate(project(['shinyproxy: { version: 3.2 }']));
      expect(number.exitCode).toBe(2);
      expect(number.stderr).toContain('shinyproxy.version: YAML reads 3.2 as a number: quote the version, such as "3.2.0"');
    });

    it('SSH from 0.0.0.0/0 unless acknowledged', async () => {
      const open = await validate(project(['host: { sshCidr: 0.0.0.0/0 }']));
      expect(open.exitCode).toBe(2);
      expect(open.stderr).toMatch(/host\.sshCidr: 0\.0\.0\.0\/0 opens SSH \(port 22\) to the whole internet.*host\.allowSshFromAnywhere: true.* line 6\)/);
      const acknowledged = await validate(project(['host: { sshCidr: 0.0.0.0/0, allowSshFromAnywhere: true }']));
      expect(acknowledged.exitCode).toBe(0);
    });
  });
});
