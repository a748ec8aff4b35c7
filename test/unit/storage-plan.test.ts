/**
 * `plan` and storage: the disk budget (host.volumeGiB against sizeGiB × expected users) and
 * the host-replacement finding that names the apps whose saved data a replacement deletes,
 * judged by the CDK's own diff engine (@aws-cdk/cloudformation-diff, through analyzeChanges)
 * on templates synthesized in-process from config variants.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInventory } from '../../cli/destroy/inventory.js';
import { StackOutputs } from '../../cli/lib/stack-outputs.js';
import { analyzeChanges, type StackTemplates } from '../../cli/plan/changes.js';
import { defaultPricesFile, loadPrices } from '../../cli/plan/prices.js';
import { runPlan } from '../../cli/commands/plan.js';
import { formatPlan } from '../../cli/plan/report.js';
import { IMAGE_GIB, SYSTEM_DISK_GIB, describeStorage } from '../../cli/plan/storage.js';
import { buildApp } from '../../lib/app.js';
import { parseConfig, type Config } from '../../lib/config/index.js';
import { expectCfnLintClean } from './stacks/checks.js';
import { configVariant } from './stacks/synth.js';

const BASE = `
name: lab
tls: { email: ops@lab.org }
cognito:
  groups: { staff: {} }
apps:
  - { id: notes, kind: shiny, context: a, groups: [staff] }
  - { id: board, kind: dash, context: b, groups: [staff] }
`;
const withStorage = (notes: string, board = '', host = '') =>
  parseConfig(
    BASE.replace('groups: [staff] }\n  - { id: board', `groups: [staff], storage: ${notes} }\n  - { id: board`).replace(
      /(id: board[^\n]*groups: \[staff\])/,
      `$1${board ? `, storage: ${board}` : ''}`,
    ) + host,
  );

describe('plan: storage section (disk budget)', () => {
  it('is left out when no app has storage', () => {
    expect(describeStorage(parseConfig(BASE), 50)).toBeUndefined();
  });

  it('counts per-user sizes once per expected user and shared sizes once, against the disk left after system and images', () => {
    const s = describeStorage(withStorage('{ sizeGiB: 0.2 }', '{ scope: shared, sizeGiB: 3 }'), 50)!;
    // 30 GiB default disk; 4 GiB system + 2 apps × 2 versions × 2 GiB images = 12 GiB reserved.
    expect(s.reservedGiB).toBe(SYSTEM_DISK_GIB + 2 * 2 * IMAGE_GIB);
    expect(s.availableGiB).toBe(30 - s.reservedGiB);
    expect(s.apps.map((a) => [a.id, a.scope, a.neededGiB])).toEqual([
      ['notes', 'user', 10],
      ['board', 'shared', 3],
    ]);
    expect(s.neededGiB).toBe(13);
    expect(s.warnings).toEqual([]);
  });

  it('warns when the stated sizes do not fit, naming each app and the host.volumeGiB that would', () => {
    const s = describeStorage(withStorage('{ sizeGiB: 1 }'), 50)!;
    expect(s.warnings).toEqual([
      'storage needs about 50 GiB (notes 50 GiB (1 GiB × 50 users)), but host.volumeGiB 30 leaves about 18 GiB after the system and app images: raise host.volumeGiB to at least 62, or lower apps[].storage.sizeGiB',
    ]);
    expect(describeStorage(withStorage('{ sizeGiB: 1 }', '', 'host: { volumeGiB: 62 }\n'), 50)!.warnings).toEqual([]);
    expect(describeStorage(withStorage('{ sizeGiB: 1 }'), 18)!.warnings).toEqual([]);
  });

  it('counts nothing for an app without sizeGiB, and says so', async () => {
    const cfg = withStorage('{}');
    const r = await runPlan({ config: cfg, configFile: 'lab.yaml', mau: 50, region: 'eu-west-1', synth: async () => [{ name: 'lab-host', template: { Resources: {} }, messages: [] }] });
    const text = formatPlan(r);
    expect(text).toContain('notes: one directory per user at /home/app/data (SHINYKIT_STORAGE_DIR), Docker volume shinykit_notes_user_#{oidcUser.subject}; no sizeGiB stated: not counted below');
    expect(text).toMatch(/Storage\s+notes \(per user\) on the host disk, 18 GiB for it; lost if the host is replaced/);
    expect(text).toContain('LOST when the host is replaced');
    expect((r.sections as Record<string, { neededGiB: number }>).storage!.neededGiB).toBe(0);
    expect(r.findings.filter((f) => f.source === 'storage')).toEqual([]);
  });

  it('with backend: ecs the storage is on EFS: no disk budget, kept across host replacement', () => {
    const cfg = parseConfig(`backend: ecs\n${BASE}`.replace('groups: [staff] }\n  - { id: board', 'groups: [staff], storage: { scope: shared, sizeGiB: 5 } }\n  - { id: board'));
    const s = describeStorage(cfg, 50)!;
    expect(s).toMatchObject({ location: 'efs', neededGiB: 5, warnings: [] });
    expect(s.apps.map((a) => a.volume)).toEqual(['EFS access point /apps/notes']);
  });

  it('a storage budget that does not fit is a plan warning (fails with --strict)', async () => {
    const r = await runPlan({ config: withStorage('{ sizeGiB: 1 }'), configFile: 'lab.yaml', mau: 50, region: 'eu-west-1', synth: async () => [{ name: 'lab-host', template: { Resources: {} }, messages: [] }] });
    expect(r.findings.filter((f) => f.source === 'storage')).toEqual([expect.objectContaining({ level: 'warning', message: expect.stringContaining('raise host.volumeGiB to at least 62') })]);
  });
});

describe('plan: a host replacement names the storage it deletes (cloudformation-diff on synthesized templates)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const templates = (cfg: Config) => {
    const outdir = mkdtempSync(join(tmpdir(), 'shinykit-storage-plan-'));
    dirs.push(outdir);
    return Object.fromEntries(buildApp(cfg, { outdir }).app.synth().stacks.map((s) => [s.stackName, s.template]));
  };
  const findings = (before: Config, after: Config) => {
    const a = templates(before);
    const b = templates(after);
    const stacks: StackTemplates[] = Object.keys(b).map((stack) => ({ stack, current: a[stack], next: b[stack]! }));
    return analyzeChanges(stacks);
  };
  const storage = (r: Record<string, any>) => {
    r.apps[0].storage = {};
    r.apps[1].storage = { scope: 'shared' };
  };
  const newVersion = (r: Record<string, any>) => (r.shinyproxy.version = '3.2.2');

  it('replacing the host with storage on it is data loss that names every app and what each loses', () => {
    const f = findings(configVariant(storage), configVariant((r) => (storage(r), newVersion(r)))).findings.filter((x) => x.code === 'host-replaced');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ kind: 'data-loss', storageApps: ['shiny-demo', 'dash-demo'] });
    expect(f[0]!.summary).toContain("the saved storage of shiny-demo (every user's files), dash-demo (its shared files) is deleted");
    expect(f[0]!.safePath).toMatch(/snapshot the host's disk/);
  });

  it('storage added in the same change counts too: the new config puts it on the host before any later replacement', () => {
    const f = findings(configVariant(), configVariant((r) => (storage(r), newVersion(r)))).findings.filter((x) => x.code === 'host-replaced');
    expect(f.map((x) => [x.kind, x.storageApps])).toEqual([['data-loss', ['shiny-demo', 'dash-demo']]]);
  });

  it('without storage a host replacement stays a disruption that loses nothing', () => {
    const f = findings(configVariant(), configVariant(newVersion)).findings.filter((x) => x.code === 'host-replaced');
    expect(f.map((x) => [x.kind, x.storageApps])).toEqual([['disruption', undefined]]);
  });

  it('the host template with its storage metadata passes cfn-lint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-storage-lint-'));
    dirs.push(dir);
    const files = Object.entries(templates(configVariant(storage))).map(([name, t]) => {
      const file = join(dir, `${name}.template.json`);
      writeFileSync(file, JSON.stringify(t));
      return file;
    });
    expect(JSON.stringify(files.map((f) => readFileSync(f, 'utf8')))).toContain('shinykit:storage');
    await expectCfnLintClean(files);
  });

  it('destroy names the storage it deletes with the host', () => {
    const t = templates(configVariant(storage));
    const inv = buildInventory({
      config: configVariant(storage),
      stacks: Object.entries(t).map(([name, template]) => ({ name, template })),
      outputs: new StackOutputs({}, 'cdk-outputs.json'),
      prices: loadPrices(defaultPricesFile()),
    });
    const host = inv.deleted.find((d) => d.stack.endsWith('-host'))!;
    expect(host.items).toContain("the saved storage of shiny-demo, dash-demo (apps[].storage, on the host's disk)");
    expect(inv.deleted.find((d) => d.stack.endsWith('-data'))!.items.join(' ')).not.toContain('saved storage');
  });

  it('adding storage to a deployed kit does not replace the host (it reaches the host through apply)', () => {
    const { findings: found, changes } = findings(configVariant(), configVariant(storage));
    expect(found).toEqual([]);
    // The instance's shinykit:storage metadata is an in-place update, never a replacement.
    expect(changes.map((c) => [c.resourceType, c.impact])).toEqual([['AWS::EC2::Instance', 'WILL_UPDATE']]);
  });
});
