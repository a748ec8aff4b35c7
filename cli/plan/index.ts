/**
 * `shinykit plan`: everything knowable before deploying, offline and without
 * credentials — resources by stack, exposure, estimated cost, and a preview of
 * the host's rendered configs. `runPlan` returns data; `formatPlan` prints it.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../../lib/config.js';
import { stackNames } from '../../lib/outputs.js';
import { checkAppInputs, type AppBuildInputs } from './apps.js';
import { estimateCost, type CostEstimate } from './cost.js';
import { describeTls, formatTls, type TlsPlan } from './tls.js';
import { describeHostSoftware, formatHostSoftware, type HostSoftware } from './host-software.js';
import { describeExposure, type Exposure } from './exposure.js';
import { defaultPricesFile, loadPrices } from './prices.js';
import { previewConfigs, type ConfigPreview } from './preview.js';
import { describeSignInDomain, formatSignInDomain, type SignInDomain } from './sign-in-domain.js';
import { summarizeResources, type StackResources } from './resources.js';
import { formatDeployed, type DeployedComparison } from './deployed.js';
import { synthesize, type SynthesizedStack } from './synth.js';

export interface PlanOptions {
  readonly config: Config;
  readonly configFile: string;
  /** Monthly active users for the Cognito estimate. */
  readonly mau: number;
  readonly pricesFile?: string;
  readonly region?: string;
  readonly preview?: boolean;
  /** Progress lines (stderr). */
  readonly progress?: (line: string) => void;
  /** Injected in unit tests to skip the (slow) synthesis. */
  readonly synth?: (cfg: Config) => Promise<SynthesizedStack[]>;
  /** Compares with the deployed stacks (cli/plan/deployed.ts); absent: offline, not compared. */
  readonly deployed?: (stacks: readonly SynthesizedStack[]) => Promise<DeployedComparison>;
}

export interface PlanResult {
  readonly project: string;
  readonly configFile: string;
  readonly site: string;
  /** The Cognito hosted UI (its prefix, or the pattern before the first deploy). */
  readonly signIn: SignInDomain;
  readonly stacks: readonly StackResources[];
  readonly exposure: Exposure;
  readonly cost: CostEstimate;
  readonly preview?: ConfigPreview;
  /** Each app's build context and Dockerfile, and what is missing (push would fail). */
  readonly apps: readonly AppBuildInputs[];
  /** What the host installs, and whether the ShinyProxy jar's checksum is pinned. */
  readonly hostSoftware: HostSoftware;
  /** How the site gets its certificate (cli/plan/tls.ts). */
  readonly tls: TlsPlan;
  /** CDK annotations (warnings/errors) found at synthesis. */
  readonly messages: SynthesizedStack['messages'];
  /** What the deploy would do to the running kit, or why it was not compared. */
  readonly deployed: DeployedComparison;
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
  const cfg = opts.config;
  const pricesFile = opts.pricesFile ?? defaultPricesFile();
  const prices = loadPrices(pricesFile); // before the slow part: a bad table fails fast
  opts.progress?.(`Synthesizing the ${Object.values(stackNames(cfg)).join(' and ')} stacks offline (takes a few seconds)...`);
  const stacks = await (opts.synth ?? ((c) => synthesize(c, { configDir: dirname(resolve(opts.configFile)) })))(cfg);
  opts.progress?.('Synthesized; summarizing.');
  const templates = stacks.map((s) => s.template);
  return {
    project: cfg.name,
    configFile: opts.configFile,
    site: cfg.domain ? `https://${cfg.domain}/` : `${describeTls(cfg).site} (the address is allocated at deploy time)`,
    signIn: describeSignInDomain(cfg),
    stacks: stacks.map((s) => summarizeResources(s.name, s.template)),
    exposure: describeExposure(cfg, templates),
    cost: estimateCost({ config: cfg, templates, prices, pricesFile, mau: opts.mau, region: opts.region }),
    preview: opts.preview === false ? undefined : previewConfigs(cfg),
    apps: checkAppInputs(cfg, dirname(resolve(opts.configFile))),
    hostSoftware: describeHostSoftware(cfg),
    tls: describeTls(cfg),
    messages: stacks.flatMap((s) => s.messages),
    deployed: opts.deployed ? await opts.deployed(stacks) : { compared: false, reason: 'offline (--offline)' },
  };
}

const money = (n: number | null, cur: string) => (n === null ? '?' : `${cur === 'USD' ? '$' : `${cur} `}${n.toFixed(2)}`);

/** Human-readable plan, for stdout. */
export function formatPlan(r: PlanResult): string {
  const out: string[] = [];
  const h = (title: string) => out.push('', title, '-'.repeat(title.length));
  out.push(`shinykit plan: project "${r.project}" from ${r.configFile} (${r.deployed.compared ? 'compared with the deployed stacks' : 'offline synthesis'}; nothing is deployed by plan)`);
  out.push(`Site: ${r.site}`);
  out.push(formatSignInDomain(r.signIn));

  h('Changes to the running kit');
  out.push(...formatDeployed(r.deployed));

  h('Resources by stack');
  for (const s of r.stacks) {
    out.push(`${s.stack}: ${s.total} resources`);
    const width = Math.max(...s.byType.map((t) => t.type.length));
    for (const t of s.byType) out.push(`  ${String(t.count).padStart(2)} × ${t.type.padEnd(width)}  ${t.logicalIds.join(', ')}`);
    if (s.retained.length > 0) {
      out.push(`  kept when the stack is deleted (DeletionPolicy Retain): ${s.retained.map((x) => x.logicalId).join(', ')}`);
    }
  }

  h('Apps');
  for (const a of r.apps) {
    out.push(`  ${a.id} (${a.kind}, port ${a.port}): built from ${a.dockerfile}${a.problems.length ? '' : ' ✓'}`);
    for (const p of a.problems) out.push(`    warning: ${p}; \`shinykit push\` would fail`);
  }

  h('Host software');
  out.push(...formatHostSoftware(r.hostSoftware));
  h('TLS certificate');
  out.push(...formatTls(r.tls));

  const e = r.exposure;
  h('Exposure');
  out.push('Inbound network access:');
  for (const rule of e.ingress) {
    out.push(`  ${rule.ports.padEnd(10)} from ${rule.source}${rule.description ? `  (${rule.description})` : ''}`);
  }
  if (e.ingress.length === 0) out.push('  none');
  out.push(
    e.sshOpen
      ? '  SSH (22/tcp) is open to the source above; shell access also works through SSM Session Manager.'
      : '  SSH: port 22 is closed; shell access is through SSM Session Manager (IAM-authenticated).',
  );
  out.push(
    // cost.ecs is present exactly in backend: ecs mode (cli/plan/ecs-cost.ts).
    r.cost.ecs
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
      const who =
        p.type === 'Google'
          ? 'anyone with a Google account can sign in'
          : `anyone the ${p.type} provider authenticates can sign in`;
      const groups = e.login.federatedEmailDomains.length
        ? `; only emails in ${e.login.federatedEmailDomains.join(', ')} get groups (docs/identity.md)`
        : '; they open apps only through mapped or default groups (docs/identity.md)';
      out.push(`  federated: ${p.name} (${p.type}): ${who}${groups}`);
    }
    const mfa = { OFF: 'off', OPTIONAL: 'optional (users may enrol)', ON: 'required' }[e.login.mfa] ?? e.login.mfa;
    out.push(`  MFA: ${mfa}${e.login.mfaFactors.length ? ` [${e.login.mfaFactors.join(', ')}]` : ''}`);
    if (e.login.passwordMinLength) out.push(`  passwords: at least ${e.login.passwordMinLength} characters`);
    if (e.login.featurePlan) out.push(`  Cognito feature plan: ${e.login.featurePlan.toLowerCase()}`);
  } else out.push('  (no Cognito user pool in the templates)');
  out.push('Which group opens which app:');
  const gw = Math.max(...e.groups.map((g) => g.group.length));
  for (const g of e.groups) {
    const apps = g.apps.length ? g.apps.join(', ') : '(no apps)';
    out.push(`  ${g.group.padEnd(gw)}  ${apps}${g.admin ? ' + the ShinyProxy admin page' : ''}`);
  }
  for (const a of e.apps) out.push(`  app ${a.app} at ${a.path}: groups ${a.groups.join(', ')}`);

  const c = r.cost;
  h(`Estimated monthly cost (ESTIMATE, ${c.currency}, prices as of ${c.asOf} for ${c.priceRegion})`);
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
  out.push('  These are estimates: edit the price table (or pass --prices <file>) to match your region and current prices; --mau changes the user count.');
  if (!c.region) {
    out.push(`  The config pins no region: the stacks go to your AWS profile's region. Prices shown are ${c.priceRegion}'s; pass --region to price another.`);
  }
  for (const w of c.warnings) out.push(`  warning: ${w}`);

  if (r.messages.length > 0) {
    h('CDK annotations');
    for (const m of r.messages) out.push(`  ${m.level}: ${m.path}: ${m.text}`);
  }

  if (r.preview) {
    h('Preview of the rendered host configs (PLACEHOLDER outputs and images, not your deployment)');
    out.push('Placeholder values used:');
    for (const [k, v] of Object.entries(r.preview.outputs)) out.push(`  ${k} = ${v}`);
    for (const p of r.preview.problems ?? []) out.push(`  cannot render (apply would fail the same way): ${p}`);
    for (const [file, text] of Object.entries(r.preview.files)) {
      out.push('', `--- ${file} (preview) ---`, text.trimEnd(), `--- end of ${file} ---`);
    }
  }
  return out.join('\n');
}
