/**
 * `shinykit plan`'s result and how it prints (the command and runPlan are in
 * cli/commands/plan.ts): a one-screen summary first (site, region, stacks, open ports,
 * who can log in, monthly cost, problems), then the sections: group × app access,
 * resources, apps, host software, network and login, cost, sections other modules
 * add (cli/plan/sections.ts), problems, and — with --preview — the host's rendered configs.
 */
import type { AppBuildInputs } from './apps.js';
import { formatCapacity, type Capacity } from './capacity.js';
import type { CostEstimate } from './cost.js';
import { formatTls, type TlsPlan } from './tls.js';
import { formatHostSoftware, type HostSoftware } from './host-software.js';
import type { Exposure, IngressRule } from './exposure.js';
import { formatIdentityPlan, type IdentityPlan } from './identity.js';
import type { ConfigPreview } from './preview.js';
import { formatSignInDomain, type SignInDomain } from './sign-in-domain.js';
import type { StackResources } from './resources.js';
import { formatDeployed, type DeployedComparison } from './deployed.js';
import type { CollectedSection, PlanFinding } from './sections.js';
import type { SynthesizedStack } from './synth.js';

export type { PlanFinding } from './sections.js';

export interface PlanResult {
  readonly project: string;
  readonly configFile: string;
  readonly site: string;
  /** The Cognito hosted UI (its prefix, or the pattern before the first deploy). */
  readonly signIn: SignInDomain;
  /** The region plan priced and previewed, and why that one. */
  readonly region: { readonly name?: string; readonly source: string; readonly priced: string };
  readonly stacks: readonly StackResources[];
  readonly exposure: Exposure;
  readonly cost: CostEstimate;
  readonly preview?: ConfigPreview;
  /** Each app's build context and Dockerfile, and what is missing (push would fail). */
  readonly apps: readonly AppBuildInputs[];
  /** What the host installs, and whether the ShinyProxy jar's checksum is pinned. */
  readonly hostSoftware: HostSoftware;
  /** Memory budget of the host and sessions per app (cli/plan/capacity.ts). */
  readonly capacity: Capacity;
  /** How the site gets its certificate (cli/plan/tls.ts). */
  readonly tls: TlsPlan;
  /** CDK annotations (warnings/errors) found at synthesis. */
  readonly messages: SynthesizedStack['messages'];
  /** What the deploy would do to the running kit, or why it was not compared. */
  readonly deployed: DeployedComparison;
  /** Everything plan found wrong: an error fails plan, a warning only with --strict. */
  readonly findings: readonly PlanFinding[];
  /** Data of the sections other modules add, by their key. */
  readonly sections: Readonly<Record<string, unknown>>;
  /** MFA mode and switch, invitation email sender (cli/plan/identity.ts). */
  readonly identity: IdentityPlan;
}

/** The sections collected for a result, for formatPlan (not part of the JSON). */
const collected = new WeakMap<PlanResult, CollectedSection[]>();

/** Called by runPlan: formatPlan prints these sections of `result`. */
export function rememberSections(result: PlanResult, sections: CollectedSection[]): void {
  collected.set(result, sections);
}

const money = (n: number | null, cur: string) => (n === null ? '?' : `${cur === 'USD' ? '$' : `${cur} `}${n.toFixed(2)}`);

const PORT_NAMES: Readonly<Record<string, string>> = {
  '443/tcp': 'HTTPS',
  '80/tcp': 'HTTP (redirects to HTTPS; certificate challenges)',
  '22/tcp': 'SSH',
};

/** Whether an ingress rule lets `port` in. */
export function coversPort(rule: IngressRule, port: number): boolean {
  if (rule.ports === 'all traffic' || rule.ports.startsWith('all ')) return true;
  const m = /^(\d+)(?:-(\d+))?\//.exec(rule.ports);
  return m !== null && Number(m[1]) <= port && port <= Number(m[2] ?? m[1]);
}

/** `443 (HTTPS) and 80 (HTTP ...) from anywhere; SSH closed (...)`: the summary's open ports. */
function openPorts(e: Exposure): string {
  const publicRules = e.ingress.filter((r) => !r.source.startsWith('security group'));
  const anywhere = publicRules.filter((r) => r.anywhere).map((r) => r.ports);
  const parts: string[] = [];
  const uniq = [...new Set(anywhere)];
  if (uniq.length) parts.push(`${uniq.map((p) => `${p.replace('/tcp', '')}${PORT_NAMES[p] ? ` (${PORT_NAMES[p]!.split(' ')[0]})` : ''}`).join(', ')} from anywhere`);
  for (const r of publicRules.filter((x) => !x.anywhere)) parts.push(`${r.ports.replace('/tcp', '')}${PORT_NAMES[r.ports] ? ` (${PORT_NAMES[r.ports]})` : ''} from ${r.source}`);
  if (!e.sshOpen) parts.push('SSH closed (shell access through SSM Session Manager)');
  return parts.join('; ') || 'none';
}

function whoCanLogIn(e: Exposure): string {
  const l = e.login;
  if (!l) return 'no Cognito user pool in the templates';
  const who: string[] = [];
  if (l.localUsers) who.push(l.adminCreatedUsersOnly ? 'only users you add (`shinykit users add`)' : 'ANYONE (self sign-up is on)');
  for (const p of l.providers) who.push(p.type === 'Google' ? 'any Google account' : `users of ${p.name} (${p.type})`);
  const mfa = { OFF: 'MFA off', OPTIONAL: 'MFA optional', ON: 'MFA required' }[l.mfa] ?? `MFA ${l.mfa}`;
  const apps = new Set(e.groups.flatMap((g) => g.apps)).size;
  return `${who.join(', ')}; ${mfa}; ${e.groups.length} group${e.groups.length === 1 ? '' : 's'} open ${apps} app${apps === 1 ? '' : 's'} (table below)`;
}

/** The group × app table: one row per group, one column per app (and the admin page). */
export function accessTable(e: Exposure): string[] {
  const apps = e.apps.map((a) => a.app);
  const admin = e.groups.some((g) => g.admin);
  const headers = ['group', ...apps, ...(admin ? ['admin page'] : [])];
  const rows = e.groups.map((g) => [g.group, ...apps.map((a) => (g.apps.includes(a) ? '✓' : '·')), ...(admin ? [g.admin ? '✓' : '·'] : [])]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  const out = [line(headers), ...rows.map(line)];
  const unopened = e.apps.filter((a) => !e.groups.some((g) => g.apps.includes(a.app)));
  for (const a of unopened) out.push(`  warning: no group opens ${a.app}`);
  return out;
}

/** Human-readable plan, for stdout. */
export function formatPlan(r: PlanResult): string {
  const out: string[] = [];
  const h = (title: string) => out.push('', title, '-'.repeat(title.length));
  const c = r.cost;
  const extra = collected.get(r) ?? [];
  const errors = r.findings.filter((f) => f.level === 'error').length;
  const warnings = r.findings.length - errors;

  // ---- the one-screen summary ----
  out.push(
    `shinykit plan: ${r.project} (${r.configFile}), ${r.deployed.compared ? 'compared with the deployed stacks' : 'offline'}: plan deploys nothing`,
    '',
  );
  const summary: Array<[string, string]> = [
    ['Site', r.site],
    ['Sign-in page', formatSignInDomain(r.signIn).replace(/^Sign-in page: /, '')],
    ['Deployed kit', r.deployed.compared ? deployedSummary(r.deployed) : `not compared (${r.deployed.reason})`],
    [
      'Region',
      r.region.name
        ? `${r.region.name} (from ${r.region.source})${r.region.priced !== r.region.name ? `; priced as ${r.region.priced} (the price table has no ${r.region.name})` : ''}`
        : `not known yet (${r.region.source}); priced and previewed as ${r.region.priced}`,
    ],
    ['Stacks', `${r.stacks.map((s) => `${s.stack} (${s.total} resources)`).join(', ')}`],
    ['Open ports', openPorts(r.exposure)],
    ['Who can log in', whoCanLogIn(r.exposure)],
    ['Monthly cost', `${c.incomplete ? 'at least ' : 'about '}${money(c.total, c.currency)} (estimate; ${c.priceRegion} prices as of ${c.asOf}; breakdown below)`],
    ...extra.flatMap(({ section, data }) => {
      const line = section.summary?.(data);
      return line ? [[line[0], line[1]] as [string, string]] : [];
    }),
    ['Problems', r.findings.length === 0 ? 'none found' : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (listed under Problems)`],
  ];
  const lw = Math.max(...summary.map(([k]) => k.length));
  for (const [k, v] of summary) out.push(`  ${k.padEnd(lw)}  ${v}`);

  h('Changes to the running kit');
  out.push(...formatDeployed(r.deployed));

  h('Access: which group opens which app');
  out.push(...accessTable(r.exposure));
  for (const a of r.exposure.apps) out.push(`  ${a.app}${a.displayName ? ` ("${a.displayName}")` : ''} is served at ${a.path}`);

  h('Resources');
  for (const s of r.stacks) {
    out.push(`${s.stack}: ${s.total} resources`);
    for (const t of s.byType) {
      const names = t.names.length ? `: ${t.names.join(', ')}` : '';
      out.push(`  ${String(t.count).padStart(2)} × ${t.label}${names}`);
    }
    if (s.retained.length > 0) {
      out.push(`  kept when the stack is deleted: ${s.retained.map((x) => (x.name ? `${x.label.split(' (')[0]} ${x.name}` : x.label.split(' (')[0])).join(', ')}`);
    }
  }
  out.push('  (CloudFormation logical ids: `shinykit plan --json`, stacks[].byType[].logicalIds)');

  h('Apps');
  for (const a of r.apps) {
    out.push(`  ${a.id} (${a.kind}, port ${a.port}): built from ${a.dockerfile}${a.problems.length ? '' : ' ✓'}`);
    for (const p of a.problems) out.push(`    error: ${p}; \`shinykit push\` would fail`);
  }

  h('Host software');
  out.push(...formatHostSoftware(r.hostSoftware));
  h('TLS certificate');
  out.push(...formatTls(r.tls));

  h('Host capacity');
  out.push(...formatCapacity(r.capacity));

  const e = r.exposure;
  h('Network and login');
  out.push('Inbound network access:');
  for (const rule of e.ingress) {
    const name = PORT_NAMES[rule.ports];
    // Our own words for the port, never the rule's description: a description written for
    // a narrow rule ("from the configured CIDR only") would be false next to "anywhere".
    out.push(`  ${rule.ports.padEnd(10)} from ${rule.source}${name ? `  (${name})` : ''}`);
  }
  if (e.ingress.length === 0) out.push('  none');
  out.push(
    e.sshOpen
      ? e.ingress.some((x) => x.anywhere && coversPort(x, 22))
        ? '  SSH (22/tcp) is OPEN TO THE WHOLE INTERNET (acknowledged by host.allowSshFromAnywhere); shell access also works through SSM Session Manager.'
        : '  SSH (22/tcp) is open to the source above only; shell access also works through SSM Session Manager.'
      : '  SSH: port 22 is closed; shell access is through SSM Session Manager (IAM-authenticated).',
  );
  out.push(
    // cost.ecs is present exactly in backend: ecs mode (cli/plan/ecs-cost.ts).
    c.ecs
      ? '  ShinyProxy (127.0.0.1:8080) listens on the host only; app sessions run as Fargate tasks in private subnets (no public address), admitting only the host on the app ports; nginx on 443 is the way in.'
      : '  ShinyProxy (127.0.0.1:8080) and app containers listen on the host only; nginx on 443 is the way in.',
  );
  out.push('Who can log in:');
  if (e.login) {
    if (e.login.localUsers) {
      out.push(
        e.login.adminCreatedUsersOnly
          ? '  local users: only those an administrator creates (`shinykit users add`); self sign-up is off'
          : '  local users: ANYONE can sign up (self sign-up is on)',
      );
    } else out.push('  local users: none (email + password sign-in is off)');
    for (const p of e.login.providers) {
      const who = p.type === 'Google' ? 'anyone with a Google account can sign in' : `anyone the ${p.type} provider authenticates can sign in`;
      const groups = e.login.federatedEmailDomains.length
        ? `; only emails in ${e.login.federatedEmailDomains.join(', ')} get groups (docs/identity.md)`
        : '; they open apps only through mapped or default groups (docs/identity.md)';
      out.push(`  federated: ${p.name} (${p.type}): ${who}${groups}`);
    }
    const mfa = { OFF: 'off', OPTIONAL: 'optional (nobody is asked to enrol)', ON: 'required (TOTP set up at first sign-in)' }[e.login.mfa] ?? e.login.mfa;
    out.push(`  MFA: ${mfa}${e.login.mfaFactors.length ? ` [${e.login.mfaFactors.join(', ')}]` : ''}`);
    out.push(...formatIdentityPlan(r.identity));
    if (e.login.passwordMinLength) out.push(`  passwords: at least ${e.login.passwordMinLength} characters`);
    if (e.login.featurePlan) out.push(`  Cognito feature plan: ${e.login.featurePlan.toLowerCase()}`);
  } else out.push('  (no Cognito user pool in the templates)');

  h(`Estimated monthly cost (ESTIMATE, ${c.currency}, ${c.priceRegion} prices as of ${c.asOf})`);
  const iw = Math.max(...c.lines.map((l) => l.item.length));
  for (const l of c.lines) out.push(`  ${l.item.padEnd(iw)}  ${money(l.monthly, c.currency).padStart(9)}   ${l.detail}`);
  out.push(`  ${'Total'.padEnd(iw)}  ${money(c.total, c.currency).padStart(9)}   per month${c.incomplete ? ' (at least: some prices are unknown)' : ''}`);
  out.push(`  Not included: ${c.notIncluded.join('; ')}.`);
  if (c.ecs) {
    // backend: ecs — both egress choices, so the operator sees what the other would cost.
    out.push('  ECS app egress (ecs.egress), fixed monthly cost:');
    for (const o of c.ecs.egressOptions) {
      out.push(`    ${o.chosen ? '*' : ' '} ${o.egress.padEnd(9)} ${money(o.monthly, c.currency).padStart(9)}   ${o.detail}${o.chosen ? ' (chosen)' : ''}`);
    }
  }
  out.push(`  Prices: ${c.pricesFile} (as of ${c.asOf}; ${c.source}).`);
  out.push('  These are estimates: edit the price table (or pass --prices <file>) to match current prices; --mau changes the user count.');

  for (const { section, data } of extra) {
    h(section.title);
    out.push(...section.format(data));
  }

  h('Problems');
  if (r.findings.length === 0) out.push('  none found');
  for (const f of r.findings) out.push(`  ${f.level}: [${f.source}] ${f.message}`);
  if (warnings > 0) out.push('  (warnings do not fail plan; `shinykit plan --strict` makes them fail, for CI)');

  if (r.preview) {
    h(`Preview of the rendered host configs (PLACEHOLDER outputs and images for ${c.priceRegion}, not your deployment)`);
    out.push('Placeholder values used:');
    for (const [k, v] of Object.entries(r.preview.outputs)) out.push(`  ${k} = ${v}`);
    for (const p of r.preview.problems ?? []) out.push(`  cannot render (apply would fail the same way): ${p}`);
    for (const [file, text] of Object.entries(r.preview.files)) {
      out.push('', `--- ${file} (preview) ---`, text.trimEnd(), `--- end of ${file} ---`);
    }
  } else out.push('', 'The rendered nginx and ShinyProxy configs: `shinykit plan --preview`.');
  return out.join('\n');
}

function deployedSummary(d: Extract<DeployedComparison, { compared: true }>): string {
  if (!d.stacks.some((s) => s.deployed)) return 'not deployed yet: a deploy creates everything';
  if (d.findings.length === 0) return `${d.changes.length} resource change${d.changes.length === 1 ? '' : 's'}, nothing lost or refused`;
  const n = (k: string) => d.findings.filter((f) => f.kind === k).length;
  return `${n('refused')} refused, ${n('data-loss')} losing data, ${n('disruption')} disruptive (see Changes to the running kit)`;
}
