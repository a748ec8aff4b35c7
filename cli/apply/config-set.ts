/**
 * How `apply` keeps rendered files in Parameter Store, and how the host reads
 * them back (assets/host/shinykit-config.py `assemble` is the other half).
 *
 * Below the prefix there are two sets of the same shape:
 *   <prefix>candidate/  what the last `apply` sent; the host applies it on request
 *   <prefix>config/     the last config the host accepted; re-applied on reboot or
 *                       replacement, and what `apply --dry-run` diffs against
 * A set is a `manifest` (JSON: each file's sha256 and number of parts) plus each
 * file split into parts of at most 4 KB: `<set>/<file>/<n>`. Parts keep every
 * parameter in the free Standard tier and lift the 8 KB ceiling even Advanced
 * parameters have; the manifest is written last and its checksums let the host
 * refuse a half-written set.
 */
import { createHash } from 'node:crypto';
import {
  DeleteParametersCommand,
  PutParameterCommand,
  paginateGetParametersByPath,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { WorkError } from '../lib/errors.js';

/** Standard-tier parameters hold up to 4096 bytes. */
export const PART_BYTES = 4096;
export type ConfigSetName = 'candidate' | 'config';

export interface ManifestEntry {
  readonly sha256: string;
  readonly parts: number;
  readonly bytes: number;
}
/** Who made a set and when: the host records it with what it applied (status shows it). */
export interface ManifestMeta {
  /** Short hash of the files: the same config has the same id. */
  readonly id: string;
  /** ISO-8601 UTC; the host will not re-apply at boot a set older than the one it runs. */
  readonly createdAt: string;
  /** The caller's IAM ARN, when known. */
  readonly createdBy?: string;
}
export interface Manifest {
  readonly format: 1;
  readonly files: Record<string, ManifestEntry>;
  readonly meta?: ManifestMeta;
}

/** File path (e.g. `nginx/shinyproxy.conf`) → content. */
export type ConfigFiles = Readonly<Record<string, string>>;

export function setPath(prefix: string, set: ConfigSetName): string {
  return `${prefix.endsWith('/') ? prefix : `${prefix}/`}${set}/`;
}

/** Splits text into parts of at most `max` UTF-8 bytes without cutting a character. */
export function splitUtf8(text: string, max = PART_BYTES): string[] {
  const parts: string[] = [];
  let current = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) {
      parts.push(current);
      current = '';
      bytes = 0;
    }
    current += ch;
    bytes += n;
  }
  if (current !== '' || parts.length === 0) parts.push(current);
  return parts;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The parameters (name → value) that hold `files` as set `set`, manifest last. */
export function encodeSet(prefix: string, set: ConfigSetName, files: ConfigFiles, meta?: Omit<ManifestMeta, 'id'>): Array<[string, string]> {
  const base = setPath(prefix, set);
  const params: Array<[string, string]> = [];
  const manifest: { format: 1; files: Record<string, ManifestEntry>; meta?: ManifestMeta } = { format: 1, files: {} };
  for (const [name, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (content === '') throw new WorkError(`refusing to deliver an empty ${name}`);
    const parts = splitUtf8(content);
    parts.forEach((part, i) => params.push([`${base}${name}/${i}`, part]));
    manifest.files[name] = { sha256: sha256(content), parts: parts.length, bytes: Buffer.byteLength(content, 'utf8') };
  }
  if (meta) {
    const id = sha256(Object.values(manifest.files).map((f) => f.sha256).join('')).slice(0, 12);
    manifest.meta = { id, ...meta };
  }
  params.push([`${base}manifest`, JSON.stringify(manifest)]);
  return params;
}

/** Rebuilds the files of a set from its parameters; undefined when there is no manifest. */
export function decodeSet(prefix: string, set: ConfigSetName, values: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const base = setPath(prefix, set);
  const manifestText = values.get(`${base}manifest`);
  if (manifestText === undefined) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestText) as Manifest;
  } catch {
    throw new WorkError(`${base}manifest in Parameter Store is not valid JSON`, {
      hint: 'run `shinykit apply` again to rewrite it',
    });
  }
  const files: Record<string, string> = {};
  for (const [name, entry] of Object.entries(manifest.files ?? {})) {
    let content = '';
    for (let i = 0; i < entry.parts; i++) {
      const part = values.get(`${base}${name}/${i}`);
      if (part === undefined) throw new WorkError(`${base}${name}/${i} is missing from Parameter Store`, { hint: 'run `shinykit apply` again' });
      content += part;
    }
    if (sha256(content) !== entry.sha256) {
      throw new WorkError(`${base}${name} does not match its manifest checksum`, {
        hint: 'another apply may be running; wait for it, then run `shinykit apply` again',
      });
    }
    files[name] = content;
  }
  return files;
}

/** Every parameter below a set (recursive, decrypted values are not needed: nothing here is secret). */
export async function readSetParameters(ssm: SSMClient, prefix: string, set: ConfigSetName): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  const path = setPath(prefix, set).replace(/\/$/, '');
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: true })) {
    for (const p of page.Parameters ?? []) if (p.Name && p.Value !== undefined) values.set(p.Name, p.Value);
  }
  return values;
}

export async function readSet(ssm: SSMClient, prefix: string, set: ConfigSetName): Promise<Record<string, string> | undefined> {
  return decodeSet(prefix, set, await readSetParameters(ssm, prefix, set));
}

/**
 * Writes `files` as set `set`: parts first, the manifest last (so a reader never
 * sees a manifest whose parts are not there yet), then removes parts left over
 * from a longer previous version.
 */
export async function writeSet(
  ssm: SSMClient,
  prefix: string,
  set: ConfigSetName,
  files: ConfigFiles,
  meta?: Omit<ManifestMeta, 'id'>,
): Promise<string[]> {
  const existing = await readSetParameters(ssm, prefix, set);
  const params = encodeSet(prefix, set, files, meta);
  for (const [name, value] of params) {
    await ssm.send(
      new PutParameterCommand({
        Name: name,
        Value: value,
        Type: 'String',
        Tier: 'Standard',
        Overwrite: true,
        Description: name.endsWith('/manifest') ? 'shinykit: files and checksums of this config set' : 'shinykit: part of a rendered host config file',
      }),
    );
  }
  const keep = new Set(params.map(([n]) => n));
  const stale = [...existing.keys()].filter((n) => !keep.has(n));
  for (let i = 0; i < stale.length; i += 10) {
    await ssm.send(new DeleteParametersCommand({ Names: stale.slice(i, i + 10) }));
  }
  return params.map(([n]) => n);
}
