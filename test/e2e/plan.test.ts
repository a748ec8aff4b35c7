import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';

const GUARD = fileURLToPath(new URL('./plan-offline-guard.mjs', import.meta.url));

/** No credentials anywhere, every endpoint dead, and sockets refused inside the process. */
const OFFLINE: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  NODE_OPTIONS: `--import ${GUARD}`,
};

describe('shinykit plan (built CLI, offline, no credentials)', () => {
  let text: CliResult;
  let json: CliResult;
  beforeAll(async () => {
    // Sequential: each synthesizes both stacks, and the machine has two cores.
    text = await runCli(['plan'], { env: OFFLINE });
    json = await runCli(['plan', '--json', '--mau', '12000'], { env: OFFLINE });
  });

  it('succeeds and reports progress on stderr, the plan on stdout', () => {
    expect(text.stderr).not.toContain('plan-offline-guard');
    expect(text.exitCode).toBe(0);
    expect(text.stderr).toContain('Synthesizing the analytics-data and analytics-host stacks');
    expect(text.stdout).not.toContain('Synthesizing');
  });

  it('without credentials it does not compare with a deployment, says so, and makes no call (the guard above)', () => {
    expect(text.stdout).toContain('(offline synthesis; nothing is deployed by plan)');
    expect(text.stdout).toContain('Not compared with a deployment: no AWS credentials found');
    expect(JSON.parse(json.stdout).deployed).toEqual({ compared: false, reason: expect.stringContaining('no AWS credentials found') });
  });

  it('lists resources by stack with type counts and logical ids, and what is retained', () => {
    expect(text.stdout).toMatch(/analytics-data: \d+ resources/);
    expect(text.stdout).toMatch(/analytics-host: \d+ resources/);
    expect(text.stdout).toMatch(/2 × AWS::ECR::Repository\s+RegistryRepo/);
    expect(text.stdout).toMatch(/1 × AWS::EC2::Instance\s+HostInstance/);
    expect(text.stdout).toMatch(/kept when the stack is deleted.*IdentityUserPool/);
  });

  it('checks each app\'s build context and Dockerfile before anything is deployed', () => {
    expect(text.stdout).toContain('shiny-demo (shiny, port 3838): built from assets/examples/shiny-demo/Dockerfile ✓');
    expect(text.stdout).toContain('dash-demo (dash, port 8050): built from assets/examples/dash-demo/Dockerfile ✓');
  });

  it('shows exposure: 443 and 80 from anywhere, no SSH, admin-created users, MFA mode, groups to apps', () => {
    expect(text.stdout).toMatch(/443\/tcp\s+from 0\.0\.0\.0\/0 \(anywhere, IPv4\)/);
    expect(text.stdout).toMatch(/80\/tcp\s+from 0\.0\.0\.0\/0/);
    expect(text.stdout).toContain('SSH: port 22 is closed');
    expect(text.stdout).toContain('local users: only those an administrator creates');
    expect(text.stdout).toMatch(/MFA: optional/);
    expect(text.stdout).toMatch(/shiny_users\s+shiny-demo\n/);
    expect(text.stdout).toMatch(/admin_users\s+shiny-demo, dash-demo \+ the ShinyProxy admin page/);
  });

  it('estimates the monthly cost from the price table, stating it is an estimate and its date', () => {
    const prices = JSON.parse(readFileSync('assets/pricing/prices.json', 'utf8')) as { asOf: string };
    expect(text.stdout).toContain(`ESTIMATE, USD, prices as of ${prices.asOf}`);
    expect(text.stdout).toMatch(/EC2 instance t3\.small\s+\$15\.18/); // 0.0208 × 730
    expect(text.stdout).toMatch(/EBS gp3 volume 30 GiB\s+\$2\.40/);
    expect(text.stdout).toMatch(/Public IPv4 address \(Elastic IP\)\s+\$3\.65/);
    expect(text.stdout).toMatch(/Cognito essentials feature plan\s+\$0\.00\s+50 monthly active users/);
    expect(text.stdout).toMatch(/Total\s+\$\d+\.\d\d\s+per month/);
  });

  it('previews the rendered nginx and ShinyProxy configs, flagged as placeholders', () => {
    expect(text.stdout).toContain('PLACEHOLDER outputs and images');
    expect(text.stdout).toContain('--- nginx/shinyproxy.conf (preview) ---');
    expect(text.stdout).toContain('--- shinyproxy/application.yml (preview) ---');
    expect(text.stdout).toContain('server_name 203.0.113.10;');
    expect(text.stdout).toContain('roles-claim: cognito:groups');
    expect(text.stdout).toContain('- id: dash-demo');
    expect(text.stdout).toMatch(/sha256:0{64}/);
  });

  it('explains the TLS mode and its limits: without domain, a 160-hour certificate for the Elastic IP itself', () => {
    expect(text.stdout).toContain('Site: https://<elastic-ip>/ (the address is allocated at deploy time)');
    expect(text.stdout).toMatch(/TLS certificate\n-+\n  https:\/\/<elastic-ip>\/ via lego 4\.35\.2 \(release tarball, SHA-256 pinned per architecture\)/);
    expect(text.stdout).toContain("a Let's Encrypt certificate for the Elastic IP itself (shortlived profile: valid 160 hours");
    expect(text.stdout).toContain('kept in Parameter Store');
    expect(text.stdout).toContain("Let's Encrypt sends no expiry mail since June 2025");
    expect(text.stdout).not.toContain('sslip.io');
  });

  it('--json gives the same as data, with --mau applied above the free tier', () => {
    expect(json.exitCode).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      project: string;
      stacks: Array<{ stack: string; total: number; byType: Array<{ type: string; count: number }> }>;
      exposure: { sshOpen: boolean; ingress: Array<{ ports: string; anywhere: boolean }>; login: { adminCreatedUsersOnly: boolean; mfa: string } };
      cost: { mau: number; asOf: string; total: number; lines: Array<{ item: string; monthly: number }> };
      preview: { placeholder: boolean; files: Record<string, string> };
    };
    expect(plan.project).toBe('analytics');
    expect(plan.stacks.map((s) => s.stack)).toEqual(['analytics-data', 'analytics-host']);
    expect(plan.exposure.sshOpen).toBe(false);
    expect(plan.exposure.ingress.map((r) => r.ports).sort()).toEqual(['443/tcp', '80/tcp']);
    expect(plan.exposure.login).toMatchObject({ adminCreatedUsersOnly: true, mfa: 'OPTIONAL' });
    expect(plan.cost.mau).toBe(12000);
    // 2000 billable MAU × $0.015 (essentials) = $30
    expect(plan.cost.lines.find((l) => l.item.startsWith('Cognito'))?.monthly).toBe(30);
    expect(plan.preview.placeholder).toBe(true);
    expect(Object.keys(plan.preview.files)).toEqual(['nginx/shinyproxy.conf', 'shinyproxy/application.yml']);
  });

  it('an invalid config fails fast with exit 2 before synthesizing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-plan-'));
    writeFileSync(join(dir, 'shinykit.yaml'), 'name: Bad Name\n');
    const res = await runCli(['--config', join(dir, 'shinykit.yaml'), 'plan'], { env: OFFLINE });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/name: expected a project name/);
    expect(res.stderr).not.toContain('Synthesizing');
  });

  it('a bad --mau is a usage error (exit 2)', async () => {
    const res = await runCli(['plan', '--mau', 'lots'], { env: OFFLINE });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('expected a whole number of monthly active users');
  });
});
