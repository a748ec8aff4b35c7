/**
 * `shinykit status`'s helpers (the command and runStatus are in cli/commands/status.ts):
 * the report the host's shinykit-status script prints (assets/host/shinykit-status.py,
 * one JSON document), read back and formatted. `apply` counts open sessions with it too.
 */

export const HOST_STATUS_COMMAND = '/usr/local/sbin/shinykit-status';

export interface HostSession {
  readonly app: string;
  readonly user: string;
  readonly proxyId: string;
  readonly created: string;
}

/** What assets/host/shinykit-status.py prints (format 1). */
export interface HostReport {
  readonly format: number;
  readonly time: string;
  readonly host: {
    readonly uptimeSeconds: number;
    readonly memory: { readonly totalMiB: number; readonly availableMiB: number };
    readonly swap: { readonly totalMiB: number; readonly usedMiB: number };
    readonly disk: { readonly totalGiB: number; readonly usedGiB: number; readonly freeGiB: number; readonly usedPercent: number };
  };
  readonly services: Record<string, string>;
  readonly certificate: { readonly issuer: string; readonly notAfter: string; readonly daysLeft: number | null } | null;
  readonly config: { readonly result?: string; readonly appliedAt?: string; readonly id?: string; readonly createdAt?: string; readonly createdBy?: string };
  readonly backend: string;
  readonly images: ReadonlyArray<{ readonly app: string; readonly image: string; readonly present: boolean | null }>;
  readonly sessions: readonly HostSession[] | null;
  readonly sessionCount: number | null;
  readonly sessionsUnknown?: string;
}

export interface StatusResult {
  readonly instanceId: string;
  readonly instance: { readonly state: string; readonly type?: string; readonly launchTime?: string };
  /** Absent when the host could not be asked (not running) or gave no report. */
  readonly host?: HostReport;
  readonly hostError?: string;
}

/** The last line of the output that is a JSON object of format 1. */
export function parseHostReport(stdout: string): HostReport | undefined {
  for (const line of stdout.split('\n').reverse()) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      const doc = JSON.parse(text) as HostReport;
      if (doc.format === 1) return doc;
    } catch {
      // not the report line
    }
  }
  return undefined;
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d > 0 ? `${d} d ${h} h` : h > 0 ? `${h} h ${m} min` : `${m} min`;
}

export function formatStatus(r: StatusResult): string {
  const out: string[] = [];
  const i = r.instance;
  out.push(`Host ${r.instanceId}${i.type ? ` (${i.type})` : ''}: ${i.state}${i.launchTime ? `, launched ${i.launchTime}` : ''}`);
  const h = r.host;
  if (!h) {
    out.push(`  ${r.hostError ?? 'no report from the host'}`);
    return out.join('\n');
  }
  const m = h.host;
  out.push(
    `  up ${formatDuration(m.uptimeSeconds)}; memory ${m.memory.availableMiB} of ${m.memory.totalMiB} MiB available; ` +
      `swap ${m.swap.usedMiB} of ${m.swap.totalMiB} MiB used; disk ${m.disk.usedGiB} of ${m.disk.totalGiB} GiB used (${m.disk.usedPercent}%)`,
  );
  out.push(`Services: ${Object.entries(h.services).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const c = h.certificate;
  out.push(c ? `Certificate: ${c.issuer}; valid until ${c.notAfter}${c.daysLeft === null ? '' : ` (${c.daysLeft} days)`}` : 'Certificate: none found');
  const cf = h.config;
  out.push(
    cf.appliedAt
      ? `Config: ${cf.id ?? '(no id)'}${cf.createdBy ? ` by ${cf.createdBy}` : ''}${cf.createdAt ? `, made ${cf.createdAt}` : ''}; live since ${cf.appliedAt} (${cf.result})`
      : 'Config: none applied yet (`shinykit apply`)',
  );
  if (h.images.length > 0) {
    out.push('Images:');
    for (const img of h.images) out.push(`  ${img.app}: ${img.image}${img.present === false ? '  (NOT on the host)' : ''}`);
  }
  if (h.sessions === null) out.push(`Sessions: unknown (${h.sessionsUnknown ?? 'the host cannot tell'})`);
  else {
    out.push(`Sessions: ${h.sessions.length} open`);
    const byApp = new Map<string, string[]>();
    for (const s of h.sessions) byApp.set(s.app, [...(byApp.get(s.app) ?? []), s.user]);
    for (const [app, users] of byApp) out.push(`  ${app}: ${users.length} (${users.join(', ')})`);
  }
  return out.join('\n');
}
