/**
 * Config transitions on a running kit: each row edits the bundled shinykit.yaml
 * the way a user would, both configs are synthesized in-process, and the
 * deployed-vs-new diff goes through `analyzeChanges` — the same function
 * `shinykit plan` runs against the deployed templates (cli/plan/deployed.ts).
 *
 * Two things are proved per row:
 * - coverage: the test lists, from the diff engine directly, every stateful
 *   resource (user pool, group, domain, repository, address, host, log group)
 *   that would be replaced, destroyed or orphaned, and fails if plan's analysis
 *   has no finding for one of them;
 * - the finding is the right one: the row names the finding codes it expects
 *   (a renamed group is a `group-deleted` with its member count, a changed
 *   domain prefix is `refused`, ...) and that nothing else is flagged.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.js';
import type { Config } from '../../lib/config/index.js';
import { analyzeChanges, natGatewayAddresses, STATEFUL_TYPES, type ChangeFinding, type StackTemplates } from '../../cli/plan/changes.js';
import { ENTRA, GOOGLE, OKTA } from '../support/identity-providers.js';
import { configVariant } from './stacks/synth.js';

type Raw = Record<string, any>;
type Templates = Record<string, Raw>;

const dirs: string[] = [];
/** Both stacks' templates for a config (builtin validation off: these are compared, not deployed). */
function templates(cfg: Config): Templates {
  const outdir = mkdtempSync(join(tmpdir(), 'shinykit-transition-'));
  dirs.push(outdir);
  const { app } = buildApp(cfg, { outdir });
  return Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, s.template as Raw]));
}

const LOSING = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN] as string[];

/**
 * Stateful resources the deploy would replace or remove, straight from the diff engine.
 * A NAT gateway's Elastic IP (backend: ecs, egress nat) is not: nothing outside points at it.
 */
function statefulLosses(before: Templates, after: Templates): string[] {
  const out: string[] = [];
  for (const [stack, current] of Object.entries(before)) {
    const nat = natGatewayAddresses(current);
    fullDiff(current, after[stack] ?? {}).resources.forEachDifference((id, r) => {
      const type = (r.oldResourceType ?? r.newResourceType)!;
      if (STATEFUL_TYPES.includes(type) && LOSING.includes(r.changeImpact) && !nat.has(id)) out.push(`${stack}/${id}`);
    });
  }
  return out.sort();
}

const edit = (raw: Raw, f: (r: Raw) => void) => (f(raw), raw);
const withEntra = (r: Raw) => (r.cognito.identityProviders = [ENTRA]);

interface Row {
  readonly name: string;
  /** Edit of the bundled config that stands for the deployed kit (default: none). */
  readonly from?: (raw: Raw) => void;
  readonly to: (raw: Raw) => void;
  /** Finding codes plan must report (each at least once; no other codes). */
  readonly expect: ReadonlyArray<ChangeFinding['code']>;
}

const ROWS: readonly Row[] = [
  { name: 'MFA optional → required', to: (r) => (r.cognito.mfa = 'required'), expect: [] },
  { name: 'MFA optional → off', to: (r) => (r.cognito.mfa = 'off'), expect: [] },
  { name: 'feature plan essentials → plus', to: (r) => (r.cognito.featurePlan = 'plus'), expect: [] },
  { name: 'feature plan essentials → lite', to: (r) => (r.cognito.featurePlan = 'lite'), expect: [] },
  { name: 'add a Google provider', to: (r) => (r.cognito.identityProviders = [GOOGLE]), expect: [] },
  { name: 'add an OIDC provider mapping groups (adds custom:groups)', to: withEntra, expect: [] },
  { name: 'add a SAML provider mapping groups', to: (r) => (r.cognito.identityProviders = [OKTA]), expect: [] },
  // custom:groups is declared on every pool (lib/constructs/identity.ts), so dropping the provider removes no attribute.
  { name: 'remove the OIDC provider that maps groups', from: withEntra, to: (r) => (r.cognito.identityProviders = []), expect: [] },
  {
    name: 'add an app',
    to: (r) => r.apps.push({ id: 'report', kind: 'shiny', context: 'assets/examples/shiny-demo', groups: ['shiny_users'] }),
    expect: [],
  },
  { name: 'remove an app', to: (r) => r.apps.splice(1, 1), expect: ['repository-orphaned'] },
  { name: 'rename an app', to: (r) => (r.apps[1].id = 'dash-app'), expect: ['repository-orphaned'] },
  { name: 'add a group', to: (r) => (r.cognito.groups.viewers = { description: 'Read-only' }), expect: [] },
  {
    name: 'rename a group',
    to: (r) => {
      r.cognito.groups.dash_team = r.cognito.groups.dash_users;
      delete r.cognito.groups.dash_users;
      r.apps[1].groups = ['admin_users', 'dash_team'];
    },
    expect: ['group-deleted'],
  },
  { name: 'set a domain', to: (r) => (r.domain = 'apps.example.org'), expect: ['host-replaced'] },
  { name: 'instance type t3.small → t4g.small (Graviton)', to: (r) => (r.host.instanceType = 't4g.small'), expect: ['host-replaced'] },
  // CloudFormation: InstanceType and BlockDeviceMappings are "some interruptions / may replace" (MAY_REPLACE).
  { name: 'instance type t3.small → t3.medium', to: (r) => (r.host.instanceType = 't3.medium'), expect: ['host-replaced'] },
  { name: 'host volume 30 → 40 GiB', to: (r) => (r.host.volumeGiB = 40), expect: ['host-replaced'] },
  { name: 'backend docker → ecs (adds subnets, a NAT address and the cluster; the host stays)', to: (r) => (r.backend = 'ecs'), expect: [] },
  {
    name: 'backend ecs → docker (the app tasks\' log groups go)',
    from: (r) => (r.backend = 'ecs'),
    to: (r) => (r.backend = 'docker'),
    expect: ['log-group-deleted'],
  },
  {
    name: 'backend ecs: shared storage removed from the only app that had it (the EFS file system leaves the stack, kept)',
    from: (r) => ((r.backend = 'ecs'), (r.apps[0].storage = { scope: 'shared' })),
    to: (r) => delete r.apps[0].storage,
    expect: ['stateful-change'],
  },
  {
    name: 'backend ecs: shared storage added to a second app (a new access point; nothing replaced)',
    from: (r) => ((r.backend = 'ecs'), (r.apps[0].storage = { scope: 'shared' })),
    to: (r) => (r.apps[1].storage = { scope: 'shared' }),
    expect: [],
  },
  { name: 'set cognito.domainPrefix on a deployed pool', to: (r) => (r.cognito.domainPrefix = 'analytics-sso'), expect: ['domain-prefix-changed'] },
  { name: 'change shinyproxy.version', to: (r) => (r.shinyproxy.version = '3.2.2'), expect: ['host-replaced'] },
];

describe('config transitions on a deployed kit: plan flags every stateful replacement or removal', () => {
  let base: Templates;
  beforeAll(() => {
    base = templates(configVariant());
  });
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  for (const row of ROWS) {
    it(`${row.name}: ${row.expect.length ? row.expect.join(', ') : 'nothing stateful lost'}`, () => {
      const before = row.from ? templates(configVariant(row.from)) : base;
      const after = templates(configVariant((r) => edit(r, (x) => (row.from?.(x), row.to(x)))));
      const stacks: StackTemplates[] = Object.keys(after).map((stack) => ({ stack, current: before[stack], next: after[stack]! }));
      const { findings } = analyzeChanges(stacks, { groupMembers: { dash_users: 3 } });

      const flagged = new Set(findings.map((f) => `${f.stack}/${f.logicalId}`));
      const unflagged = statefulLosses(before, after).filter((id) => !flagged.has(id));
      expect(unflagged, 'stateful resources replaced or removed without a plan finding').toEqual([]);

      const codes = [...new Set(findings.map((f) => f.code))].sort();
      expect(codes).toEqual([...new Set(row.expect)].sort());
    });
  }

  it('upgrading a kit deployed with the old literal prefix (<name>-login) to the derived one is refused, with the way out', () => {
    const before = structuredClone(base);
    const data = before['analytics-data']!;
    const [domainId] = Object.entries(data.Resources).find(([, r]: [string, any]) => r.Type === 'AWS::Cognito::UserPoolDomain')!;
    data.Resources[domainId].Properties.Domain = 'analytics-login';
    const stacks = Object.keys(base).map((stack) => ({ stack, current: before[stack], next: base[stack]! }));
    const { findings } = analyzeChanges(stacks);
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'refused', code: 'domain-prefix-changed', logicalId: domainId, safePath: expect.stringContaining('set cognito.domainPrefix') }),
    ]);
  });
});
