/**
 * bin/shinykit.ts through the real, pinned CDK CLI: `cdk synth` works offline
 * with no AWS credentials, picks the config from `-c config=…`, and a bad config
 * stops the app with exit 2 and every problem listed.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG } from './synth.js';

const ROOT = join(import.meta.dirname, '../../..');

/** An environment with no way to reach AWS credentials or the metadata service. */
function offlineEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: 'true',
    ...extra,
  };
}

describe('cdk synth via bin/shinykit.ts', () => {
  it('synthesizes both stacks offline without credentials, using -c config=<file>', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-cdk-'));
    const config = join(dir, 'other.yaml');
    writeFileSync(config, readFileSync(BUNDLED_CONFIG, 'utf8').replace(/^name: analytics/m, 'name: offline-check'));
    const out = join(dir, 'cdk.out');
    const res = await execa('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', out, '-c', `config=${config}`], {
      cwd: ROOT,
      env: offlineEnv(),
      extendEnv: false,
      reject: false,
    });
    expect(res.exitCode, res.stderr).toBe(0);
    for (const stack of ['offline-check-data', 'offline-check-host']) {
      expect(existsSync(join(out, `${stack}.template.json`)), stack).toBe(true);
    }
    const data = JSON.parse(readFileSync(join(out, 'offline-check-data.template.json'), 'utf8'));
    expect(Object.keys(data.Outputs)).toContain('RepositoryShinyDemo');
    expect(res.stderr).not.toMatch(/AwsSolutions-|Template validation found issues/);
  }, 300_000); // the CLI plus a full synth; slow when the shared 2-core machine is busy

  it('stops with exit 2 and lists every config problem readably', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-cdk-bad-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(BUNDLED_CONFIG, 'utf8').replace('volumeGiB: 30', 'volumeGiB: 2').replace('groups: [admin_users, dash_users]', 'groups: [nobody]'));
    const res = await execa('npx', ['tsx', 'bin/shinykit.ts'], {
      cwd: ROOT,
      env: offlineEnv({ SHINYKIT_CONFIG: bad, CDK_OUTDIR: join(dir, 'out') }),
      extendEnv: false,
      reject: false,
    });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain(`${bad} is not a valid shinykit config:`);
    expect(res.stderr).toMatch(/host\.volumeGiB: expected at least 8 GiB .*line \d+/);
    expect(res.stderr).toMatch(/apps\[1\]\.groups\[0\]: unknown group "nobody"/);
    expect(res.stderr).toContain('npx shinykit validate');
    expect(res.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack trace
  });
});
