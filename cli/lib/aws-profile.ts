/**
 * What the local AWS config says about a profile, read offline from the shared
 * config and credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, or
 * ~/.aws/config and ~/.aws/credentials), the way the SDK and the CDK CLI find
 * them. `plan` uses it to name the region a deploy goes to; the error mapper to
 * name a profile that does not exist, or one that needs `aws sso login`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ProfileInfo {
  readonly name: string;
  /** Found in the config or credentials file. */
  readonly exists: boolean;
  readonly region?: string;
  /** Uses IAM Identity Center (sso_session or sso_start_url): `aws sso login --profile <name>` refreshes it. */
  readonly sso: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `[default]` / `[profile x]` sections (config file) or `[x]` sections (credentials file) → key/values. */
export function parseIni(text: string, configFile: boolean): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      let name = header[1]!;
      if (configFile && name.startsWith('profile ')) name = name.slice('profile '.length).trim();
      else if (configFile && name !== 'default') name = `\u0000${name}`; // sso-session, services: not profiles
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current) current[kv[1]!.toLowerCase()] = kv[2]!;
  }
  return sections;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The profile in use: `--profile`, else AWS_PROFILE, else "default". */
export function profileInfo(flag: string | undefined, env: Env = process.env): ProfileInfo {
  const name = flag ?? env.AWS_PROFILE ?? 'default';
  const home = env.HOME ?? homedir();
  const config = parseIni(read(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config')), true).get(name);
  const credentials = parseIni(read(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials')), false).get(name);
  return {
    name,
    exists: config !== undefined || credentials !== undefined,
    region: config?.region || undefined,
    sso: config !== undefined && (config.sso_session !== undefined || config.sso_start_url !== undefined),
  };
}

export interface DeployRegion {
  readonly region?: string;
  /** Where it came from, in words: `--region`, `shinykit.yaml (region)`, `AWS_REGION`, `profile "x"`. */
  readonly source: string;
}

/**
 * The region `cdk deploy` will use: shinykit.yaml's `region` is written into the
 * stacks, so it wins; without it, `--region` (what shinykit passes on), then what
 * the CDK CLI reads: AWS_REGION / AWS_DEFAULT_REGION, then the profile's region.
 */
export function deployRegion(opts: { flag?: string; configRegion?: string; profile?: string }, env: Env = process.env): DeployRegion {
  if (opts.configRegion) return { region: opts.configRegion, source: 'shinykit.yaml (region)' };
  if (opts.flag) return { region: opts.flag, source: '--region' };
  if (env.AWS_REGION) return { region: env.AWS_REGION, source: 'AWS_REGION' };
  if (env.AWS_DEFAULT_REGION) return { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' };
  const profile = profileInfo(opts.profile, env);
  if (profile.region) return { region: profile.region, source: `AWS profile "${profile.name}"` };
  return { region: undefined, source: 'none: no --region, no region in shinykit.yaml, AWS_REGION or the AWS profile' };
}
