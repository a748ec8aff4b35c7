/**
 * README.md stays true: its reference sections equal what `npm run docs` would
 * write now (config reference from the zod schema; CLI reference from the built
 * CLI's live `--help`), and it opens with the two commands.
 * Needs dist/ (npm test builds it first).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { configRows, extractSection, generateCliReference, generateConfigReference, generateDocsIndex, README } from '../../docs/readme-gen.js';

const readme = readFileSync(README, 'utf8');
const STALE = 'README.md is out of date: run `npm run docs` and commit the result';

describe('README.md', () => {
  it('opens with the install+test command and the offline main job', () => {
    const firstLines = readme.split('\n').slice(0, 6).join('\n');
    expect(firstLines).toMatch(/^npm ci && npm test\b.*bash \.ci\/run/m);
    expect(firstLines).toMatch(/^npx shinykit plan\b/m);
  });

  it('config reference matches the schema', () => {
    expect(extractSection(readme, 'config-reference'), STALE).toBe(generateConfigReference());
  });

  it('config reference lists every key, nested ones included', () => {
    const paths = configRows().map((r) => r.path);
    for (const p of ['name', 'tls.email', 'host.instanceType', 'cognito.groups.<name>.precedence', 'apps[].groups', 'apps[].port']) {
      expect(paths).toContain(p);
    }
  });

  it('every config key has a description (add new keys to CONFIG_DESCRIPTIONS in docs/readme-gen.ts)', () => {
    expect(configRows().filter((r) => !r.description).map((r) => r.path)).toEqual([]);
  });

  it('the documentation index lists every docs/*.md', () => {
    expect(extractSection(readme, 'docs-index'), STALE).toBe(generateDocsIndex());
  });

  it('CLI reference matches the live CLI --help for every command', async () => {
    const live = await generateCliReference();
    expect(extractSection(readme, 'cli-reference'), STALE).toBe(live);
    for (const cmd of ['init', 'plan', 'doctor', 'validate']) expect(live).toContain(`#### \`shinykit ${cmd}\``);
  });

  it('every `npx shinykit …` command line in the prose names a real command and real options', async () => {
    const { createProgram } = (await import(new URL('../../dist/cli/index.js', import.meta.url).href)) as { createProgram(args?: string[], opts?: { manifest?: boolean }): Promise<Command> };
    const program = await createProgram([], { manifest: false });
    const longFlags = (cmd: Command) => cmd.options.map((o) => o.long).filter((f): f is string => Boolean(f));
    const globalFlags = new Set(longFlags(program));
    const prose = readme.replace(/<!-- BEGIN GENERATED[\s\S]*?<!-- END GENERATED[^>]*>/g, '');
    const lines = [...prose.matchAll(/npx shinykit((?: +[^\s`#|)]+)*)/g)].map((m) => m[1]!.trim().split(/ +/));
    expect(lines.length).toBeGreaterThan(10);
    for (const tokens of lines) {
      let cmd = program;
      const used: string[] = [];
      for (const t of tokens) {
        if (t.startsWith('--')) used.push(t.split('=')[0]!);
        else if (used.length === 0 || !globalFlags.has(used.at(-1)!)) {
          const sub = cmd.commands.find((c) => c.name() === t);
          if (sub) cmd = sub;
        }
      }
      const where = `npx shinykit ${tokens.join(' ')}`;
      expect(cmd, where).not.toBe(program);
      for (const flag of used) expect([...globalFlags, ...longFlags(cmd)], `${where}: ${flag}`).toContain(flag);
    }
  });

  it('the cost table agrees with the bundled price table (us-east-1, t3.small, 30 GiB)', () => {
    const prices = JSON.parse(readFileSync(new URL('../../assets/pricing/prices.json', import.meta.url), 'utf8')) as {
      asOf: string;
      hoursPerMonth: number;
      regions: Record<string, { ec2HourlyOnDemand: Record<string, number>; ebsGp3PerGiBMonth: number; publicIpv4PerHour: number }>;
    };
    const us = prices.regions['us-east-1']!;
    const dollars = (n: number) => `$${n.toFixed(2)}`;
    expect(readme).toContain(`| EC2 t3.small on-demand, 730 h | ${dollars(us.ec2HourlyOnDemand['t3.small']! * prices.hoursPerMonth)} |`);
    expect(readme).toContain(`| EBS gp3 30 GiB | ${dollars(us.ebsGp3PerGiBMonth * 30)} |`);
    expect(readme).toContain(`charged even when idle | ${dollars(us.publicIpv4PerHour * prices.hoursPerMonth)} |`);
  });

  it('the Troubleshooting table has a row for every known pitfall, whose fix names the remedy', () => {
    const section = /^## Troubleshooting\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    // Rows of the | Symptom | Cause and fix | table (header and separator left out).
    const rows = [...section.matchAll(/^\| (.+?) \| (.+) \|$/gm)].map((m) => ({ symptom: m[1]!, fix: m[2]! })).filter((r) => !/^(Symptom|---)/.test(r.symptom));
    expect(rows.length, 'README has a ## Troubleshooting table').toBeGreaterThan(10);
    // The pitfalls in the design notes: what a user sees, and what the row must tell them.
    const pitfalls: Array<[symptom: string, remedy: readonly string[]]> = [
      ['redirect_mismatch', ['forward-headers-strategy: native', 'X-Forwarded-Proto', 'enforce-https-redirect-uri', 'https://<site>/login/oauth2/code/shinyproxy']],
      ['grey out', ['upgrade headers', 'long read timeouts', 'proxy buffering']],
      ['Logout', ['proxy.openid.logout-url', 'trailing slash included']],
      ['see no apps', ['cognito:groups', 'npx shinykit users groups']],
      ['Cognito domain', ['lowercase letters, digits and hyphens', 'cognito.domainPrefix', 'one domain per pool']],
      ['already exists', ['RetainExceptOnCreate']],
      ['Unable to assume the service linked role', ['iam:CreateServiceLinkedRole']],
      ['after the first 50', ['50 emails a day', 'cognito.email', 'users invite --file']],
      ['TooManyRequestsException', ['50 requests/s', 'paces itself and retries throttled calls']],
      ['12 hours', ['ECR credential helper', 'instance role']],
      ['pull access denied', ['docker CLI', 'IfNotPresent']],
      ['invalid_client', ['DescribeUserPoolClient']],
      ['Dash', ['SHINYPROXY_PUBLIC_PATH', 'requests_pathname_prefix', 'routes_pathname_prefix', 'target-path']],
      ['certificate', ['port 80', 'sslip.io']],
    ];
    for (const [symptom, remedy] of pitfalls) {
      const row = rows.find((r) => r.symptom.includes(symptom));
      expect(row, `a row whose symptom names "${symptom}"`).toBeDefined();
      for (const words of remedy) expect(row!.fix, `the "${symptom}" row's fix`).toContain(words);
    }
  });

  it('every relative link resolves: the file exists and a #fragment names a heading in it', () => {
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l));
    // A README whose links all vanished would otherwise pass: it links its sections and docs/.
    expect(links.filter((l) => l.startsWith('#')).length).toBeGreaterThan(5);
    expect(links.filter((l) => l.startsWith('docs/')).length).toBeGreaterThan(2);
    for (const link of links) {
      const [file, fragment] = link.split('#') as [string, string | undefined];
      const url = new URL(`../../${file || 'README.md'}`, import.meta.url);
      expect(existsSync(url), link).toBe(true);
      if (fragment) expect(headingSlugs(readFileSync(url, 'utf8')), link).toContain(fragment);
    }
  });
});

/** GitHub's anchors for a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens. */
function headingSlugs(markdown: string): string[] {
  return [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map((m) =>
    m[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-'),
  );
}
