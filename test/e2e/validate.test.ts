import { mkdtempSync, writeFileSync } from 'node:fs';
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
});
