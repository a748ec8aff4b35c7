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
    // The text plan deploys to AWS_REGION; the JSON one has no region at all (a warning, fatal with --strict).
    text = await runCli(['plan', '--preview'], { env: { ...OFFLINE, AWS_REGION: 'eu-west-1' }, timeoutMs: 300_000 });
    json = await runCli(['plan', '--json', '--mau', '12000', '--strict'], { env: OFFLINE, timeoutMs: 300_000 });
  }, 600_000); // two synths back to back on a shared two-core machine

  it('succeeds with the plan on stdout and nothing on stderr off a terminal (no progress under CI)', () => {
    expect(text.stderr).toBe('');
    expect(text.exitCode).toBe(0);
  });

  it('without credentials it does not compare with a deployment, says so, and makes no call (the guard above)', () => {
    expect(text.stdout).toContain('Not compared with a deployment: no AWS credentials found');
    // The JSON run has no region at all, so that is what it names first.
    expect(JSON.parse(json.stdout).deployed).toEqual({ compared: false, reason: expect.stringContaining('no AWS region') });
  });

  it('starts with a one-screen summary: site, region, stacks, open ports, who can log in, cost, problems', () => {
    const lines = text.stdout.split('\n');
    const total = /Total\s+\$(\d+\.\d\d)\s+per month/.exec(text.stdout)?.[1];
    const asOf = (JSON.parse(readFileSync('assets/pricing/prices.json', 'utf8')) as { asOf: string }).asOf;
    expect(lines.slice(0, 10)).toEqual([
      'shinykit plan: analytics (shinykit.yaml), offline: plan deploys nothing',
      '',
      '  Site            https://<elastic-ip>/ (the address is allocated at deploy time)',
      expect.stringMatching(/^ {2}Sign-in page {4}https:\/\/analytics-login-<data-stack-id>\.auth\.<region>\.amazoncognito\.com /),
      expect.stringMatching(/^ {2}Deployed kit {4}not compared \(no AWS credentials found/),
      '  Region          eu-west-1 (from AWS_REGION)',
      '  Stacks          analytics-data (9 resources), analytics-host (21 resources)',
      '  Open ports      443 (HTTPS), 80 (HTTP) from anywhere; SSH closed (shell access through SSM Session Manager)',
      '  Who can log in  only users you add (`shinykit users add`); MFA required; 3 groups open 2 apps (table below)',
      `  Monthly cost    about $${total} (estimate; eu-west-1 prices as of ${asOf}; breakdown below)`,
    ]);
    expect(lines[10]).toMatch(/^ {2}Problems {8}(none found|0 errors, \d+ warnings? \(listed under Problems\))$/);
  });

  it('shows which group opens which app as one table', () => {
    expect(text.stdout).toContain(
      [
        '  group        shiny-demo  dash-demo  admin page',
        '  admin_users  ✓           ✓          ✓',
        '  shiny_users  ✓           ·          ·',
        '  dash_users   ·           ✓          ·',
      ].join('\n'),
    );
  });

  it('names resources by what they are, and what is kept when a stack is deleted', () => {
    expect(text.stdout).toContain('2 × ECR image repository: analytics/shiny-demo, analytics/dash-demo');
    expect(text.stdout).toContain('3 × Cognito group: admin_users, shiny_users, dash_users');
    expect(text.stdout).toContain('1 × EC2 host: t3.small');
    expect(text.stdout).toMatch(/kept when the stack is deleted: .*ECR image repository analytics\/shiny-demo.*Cognito user pool/);
    expect(text.stdout).not.toMatch(/RegistryRepo|IdentityUserPool[0-9A-F]|HostInstance[0-9A-F]/);
  });

  it("checks each app's build context and Dockerfile before anything is deployed", () => {
    expect(text.stdout).toContain('shiny-demo (shiny, port 3838): built from assets/examples/shiny-demo/Dockerfile ✓');
    expect(text.stdout).toContain('dash-demo (dash, port 8050): built from assets/examples/dash-demo/Dockerfile ✓');
  });

  it('shows exposure: 443 and 80 from anywhere, no SSH, admin-created users, MFA mode', () => {
    expect(text.stdout).toMatch(/443\/tcp\s+from 0\.0\.0\.0\/0 \(anywhere, IPv4\)/);
    expect(text.stdout).toMatch(/80\/tcp\s+from 0\.0\.0\.0\/0/);
    expect(text.stdout).toContain('SSH: port 22 is closed');
    expect(text.stdout).toContain('local users: only those an administrator creates');
    expect(text.stdout).toMatch(/MFA: required \(TOTP set up at first sign-in\)/);
    expect(text.stdout).toMatch(/invitation and reset emails: Cognito.s own sender: at most 50 emails a day/);
  });

  it('estimates the monthly cost in the deploy region, from the price table, with the ECR lifecycle rule', () => {
    const prices = JSON.parse(readFileSync('assets/pricing/prices.json', 'utf8')) as { asOf: string; regions: Record<string, { ec2HourlyOnDemand: Record<string, number> }> };
    expect(text.stdout).toContain(`ESTIMATE, USD, eu-west-1 prices as of ${prices.asOf}`);
    const hourly = prices.regions['eu-west-1']!.ec2HourlyOnDemand['t3.small']!;
    expect(text.stdout).toContain(`EC2 instance t3.small`);
    expect(text.stdout).toMatch(new RegExp(`EC2 instance t3\\.small\\s+\\$${(hourly * 730).toFixed(2).replace('.', '\\.')}`));
    expect(text.stdout).toContain('up to 30 versions each (the lifecycle rule)');
    expect(text.stdout).toMatch(/Total\s+\$\d+\.\d\d\s+per month/);
  });

  it('--preview adds the rendered configs, for the same region that was priced', () => {
    expect(text.stdout).toContain('PLACEHOLDER outputs and images for eu-west-1');
    expect(text.stdout).toContain('--- nginx/shinyproxy.conf (preview) ---');
    expect(text.stdout).toContain('--- shinyproxy/application.yml (preview) ---');
    expect(text.stdout).toContain('analytics-login-00000000.auth.eu-west-1.amazoncognito.com'); // a placeholder stack id
    expect(text.stdout).toContain('server_name 203.0.113.10;');
    expect(text.stdout).toContain('roles-claim: cognito:groups');
    expect(text.stdout).toMatch(/sha256:0{64}/);
  });

  it('explains the TLS mode and its limits: without domain, a 160-hour certificate for the Elastic IP itself', () => {
    expect(text.stdout).toMatch(/ {2}Site {12}https:\/\/<elastic-ip>\/ \(the address is allocated at deploy time\)/);
    expect(text.stdout).toMatch(/TLS certificate\n-+\n  https:\/\/<elastic-ip>\/ via lego 4\.35\.2 \(release tarball, SHA-256 pinned per architecture\)/);
    expect(text.stdout).toContain("a Let's Encrypt certificate for the Elastic IP itself (shortlived profile: valid 160 hours");
    expect(text.stdout).toContain('kept in Parameter Store');
    expect(text.stdout).toContain("Let's Encrypt sends no expiry mail since June 2025");
    expect(text.stdout).not.toContain('sslip.io');
  });

  it('--json gives the same as data (preview included), with --mau applied; --strict fails it on warnings', () => {
    expect(json.exitCode).toBe(2);
    expect(json.stderr).toBe('');
    const plan = JSON.parse(json.stdout) as {
      project: string;
      stacks: Array<{ stack: string; total: number; byType: Array<{ type: string; count: number; logicalIds: string[] }> }>;
      exposure: { sshOpen: boolean; ingress: Array<{ ports: string; anywhere: boolean }>; login: { adminCreatedUsersOnly: boolean; mfa: string } };
      cost: { mau: number; asOf: string; total: number; priceRegion: string; lines: Array<{ item: string; monthly: number }> };
      preview: { placeholder: boolean; files: Record<string, string> };
      findings: Array<{ level: string; source: string }>;
      region: { name?: string; priced: string };
    };
    expect(plan.project).toBe('analytics');
    expect(plan.stacks.map((s) => s.stack)).toEqual(['analytics-data', 'analytics-host']);
    expect(plan.stacks[0]!.byType.find((t) => t.type === 'AWS::ECR::Repository')?.logicalIds).toHaveLength(2);
    expect(plan.exposure.sshOpen).toBe(false);
    expect(plan.exposure.ingress.map((r) => r.ports).sort()).toEqual(['443/tcp', '80/tcp']);
    expect(plan.exposure.login).toMatchObject({ adminCreatedUsersOnly: true, mfa: 'ON' });
    expect(plan.cost.mau).toBe(12000);
    // 2000 billable MAU × $0.015 (essentials) = $30
    expect(plan.cost.lines.find((l) => l.item.startsWith('Cognito'))?.monthly).toBe(30);
    expect(plan.preview.placeholder).toBe(true);
    expect(Object.keys(plan.preview.files)).toEqual(['nginx/shinyproxy.conf', 'shinyproxy/application.yml']);
    // No region anywhere (no AWS_REGION, an empty AWS config): priced as the table's default, and a warning.
    expect(plan.region).toMatchObject({ priced: 'us-east-1' });
    expect(plan.region.name).toBeUndefined();
    expect(plan.findings).toContainEqual(expect.objectContaining({ level: 'warning', source: 'region' }));
  });

  it('an app whose build context has no Dockerfile fails plan (exit 2) before synthesizing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-plan-'));
    writeFileSync(join(dir, 'shinykit.yaml'), readFileSync('shinykit.yaml', 'utf8').replace('context: assets/examples/dash-demo', 'context: .'));
    const res = await runCli(['--config', join(dir, 'shinykit.yaml'), 'plan'], { env: OFFLINE });
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/apps\[0\]\.context: no folder .*assets\/examples\/shiny-demo/);
    expect(res.stderr).toMatch(/apps\[1\]\.context: no Dockerfile in .* \(app dash-demo\)/);
  });

  it('an invalid config fails fast with exit 2 before synthesizing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-plan-'));
    writeFileSync(join(dir, 'shinykit.yaml'), 'name: Bad Name\n');
    const res = await runCli(['--config', join(dir, 'shinykit.yaml'), 'plan'], { env: OFFLINE });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/name: expected a project name/);
    expect(res.stderr).not.toContain('synthesizing');
  });

  it('a bad --mau is a usage error (exit 2)', async () => {
    const res = await runCli(['plan', '--mau', 'lots'], { env: OFFLINE });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('expected a whole number of monthly active users');
  });
});
