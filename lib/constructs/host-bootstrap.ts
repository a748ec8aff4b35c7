/**
 * The host's user data: a bash script that writes the host files (read from
 * assets/host at synth time) and /etc/shinykit/host.env, then runs
 * /usr/local/sbin/shinykit-bootstrap. Everything the host does is in those
 * scripts; this module only packs them.
 *
 * Why a script and not cloud-config: the bootstrap must signal CloudFormation
 * with its own exit status and step, and a script is what shellcheck can check
 * as a whole (the tests do, with the tokens filled in).
 *
 * User data is limited to 16 KB, so the files travel as one gzip stream,
 * base64-encoded in a quoted heredoc, with whole-line comments stripped. gzip
 * output is deterministic here (level 9, no name, mtime 0, OS byte fixed), so
 * the same inputs give the same template.
 * A changed script changes the user data, which replaces the instance (see
 * host.ts): the host is stateless and re-applies its config from Parameter Store.
 *
 * ShinyProxy: the official jar from shinyproxy.io, run by Amazon Corretto from
 * AL2023's own repositories, rather than the openanalytics/shinyproxy container
 * image. As a systemd service it reaches Docker over the unix socket, binds
 * 127.0.0.1:8080 directly (no host networking tricks), gets the Cognito client
 * secret from a root-only ExecStartPre, and logs like every other service. The
 * jar is verified against a SHA-256 checksum: `shinyproxy.sha256` in
 * shinykit.yaml, else `SHINYPROXY_SHA256` below, else the checksum file the
 * publisher serves next to the jar (reported as "publisher" in the host status).
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Config } from '../config.js';
import { assetsDir } from './assets.js';
import { acmeProfile } from './site.js';

/**
 * The ACME client on the host: lego, the upstream release tarball, pinned by version and
 * SHA-256 per architecture (shinykit-bootstrap refuses a download that does not match).
 * Why lego: one static Go binary per architecture, so one hash pins it completely (certbot
 * needs a Python dependency tree pinned hash by hash); it requests IP identifiers and ACME
 * profiles (`--profile`), and `renew --dynamic` uses ACME Renewal Information (RFC 9773) first.
 * Amazon Linux 2023's certbot (2.x) can do neither IP addresses nor profiles.
 * 4.35.2 rather than 5.x: the tests run Debian's lego 4.35.2 against pebble, and lego 5
 * changed the command line. The hashes are those of the release's lego_4.35.2_checksums.txt
 * as recorded independently in public repositories that install this release (amd64 in
 * several, arm64 in one); nothing here was computed from a download on this side.
 */
export const LEGO = {
  version: '4.35.2',
  sha256: {
    x86_64: 'ee5be4bf457de8e3efa86a51651c75c87f0ee0e4e9f3ae14f6034d68365770f3',
    aarch64: 'e1f153179098d27ce044aaaa168c0e323d50ae71b0f1a147aa8ae49ac6b14d89',
  },
} as const;

/** Everything the first-boot script may need; tokens are resolved by CloudFormation. */
export interface HostBootstrapInput {
  /** The validated shinykit.yaml. */
  readonly config: Config;
  /** The site's name: `domain`, the Elastic IP, or `<elastic-ip>.sslip.io` (a token then). */
  readonly siteHostname: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  /** The stacks' region (a token for env-agnostic stacks). */
  readonly region: string;
  /** SSM Parameter Store prefix the host reads its configuration from: `/shinykit/<name>/`. */
  readonly parameterPrefix: string;
  /** CloudWatch Logs group for the host's bootstrap and apply logs. */
  readonly logGroupName: string;
  /** The host stack's name, for `cfn-signal --stack`. */
  readonly stackName: string;
  /** The instance's CloudFormation logical id, for `cfn-signal --resource` (a token). */
  readonly instanceLogicalId: string;
}

/**
 * SHA-256 of the official ShinyProxy jar, by version. Add a line per release
 * from the checksum OpenAnalytics publishes (or `sha256sum shinyproxy-X.Y.Z.jar`
 * of a download you trust). Empty because this kit was written without
 * internet access: nothing here was guessed. A version not listed is verified
 * against the publisher's checksum file at install time instead.
 */
export const SHINYPROXY_SHA256: Readonly<Record<string, string>> = {};

export function shinyProxyDownloadUrl(version: string): string {
  return `https://www.shinyproxy.io/downloads/shinyproxy-${version}.jar`;
}

/** The pinned checksum for the configured version, or '' when there is none. */
export function shinyProxyChecksum(cfg: Config): string {
  return cfg.shinyproxy.sha256 ?? SHINYPROXY_SHA256[cfg.shinyproxy.version] ?? '';
}

/** assets/host file → where it goes on the host, and its mode. */
export const HOST_FILES: ReadonlyArray<{ readonly asset: string; readonly path: string; readonly mode: string }> = [
  { asset: 'shinykit-bootstrap.sh', path: '/usr/local/sbin/shinykit-bootstrap', mode: '0755' },
  { asset: 'shinykit-apply.sh', path: '/usr/local/sbin/shinykit-apply', mode: '0755' },
  { asset: 'shinykit-deliver.sh', path: '/usr/local/sbin/shinykit-deliver', mode: '0755' },
  { asset: 'shinykit-config.py', path: '/usr/local/sbin/shinykit-config.py', mode: '0755' },
  { asset: 'shinykit-tls.sh', path: '/usr/local/sbin/shinykit-tls', mode: '0755' },
  { asset: 'shinykit-client-secret.sh', path: '/usr/local/sbin/shinykit-client-secret', mode: '0700' },
  { asset: 'shinykit-publish-status.sh', path: '/usr/local/sbin/shinykit-publish-status', mode: '0755' },
  { asset: 'systemd/shinyproxy.service', path: '/etc/systemd/system/shinyproxy.service', mode: '0644' },
  { asset: 'systemd/shinykit-tls.service', path: '/etc/systemd/system/shinykit-tls.service', mode: '0644' },
  { asset: 'systemd/shinykit-tls.timer', path: '/etc/systemd/system/shinykit-tls.timer', mode: '0644' },
  { asset: 'systemd/shinykit-reapply.service', path: '/etc/systemd/system/shinykit-reapply.service', mode: '0644' },
  { asset: 'nginx/nginx.conf', path: '/usr/local/share/shinykit/nginx.conf', mode: '0644' },
  { asset: 'nginx/starting.conf', path: '/usr/local/share/shinykit/starting.conf', mode: '0644' },
  { asset: 'nginx/starting.html', path: '/usr/local/share/shinykit/starting.html', mode: '0644' },
  { asset: 'shinyproxy/application-initial.yml', path: '/usr/local/share/shinykit/application-initial.yml', mode: '0644' },
  { asset: 'cloudwatch-agent.json', path: '/usr/local/share/shinykit/cloudwatch-agent.json', mode: '0644' },
];

/** EC2's limit on user data, before base64. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Builds the host's user data. Pure: same input, same script. */
export function buildHostUserData(input: HostBootstrapInput): ec2.UserData {
  return ec2.UserData.custom(renderHostUserData(input));
}

/** The user data script as text (with unresolved tokens where inputs are tokens). */
export function renderHostUserData(input: HostBootstrapInput): string {
  const cfg = input.config;
  const env: Array<[string, string]> = [
    ['SHINYKIT_NAME', cfg.name],
    ['SHINYKIT_PREFIX', input.parameterPrefix],
    ['SHINYKIT_REGION', input.region],
    ['SHINYKIT_SITE_HOSTNAME', input.siteHostname],
    ['SHINYKIT_USER_POOL_ID', input.userPoolId],
    ['SHINYKIT_CLIENT_ID', input.userPoolClientId],
    ['SHINYKIT_LOG_GROUP', input.logGroupName],
    ['SHINYKIT_STACK', input.stackName],
    ['SHINYKIT_RESOURCE', input.instanceLogicalId],
    ['SHINYKIT_TLS_EMAIL', cfg.tls.email],
    ['SHINYKIT_TLS_PROFILE', acmeProfile(cfg)],
    ['SHINYKIT_LEGO_VERSION', LEGO.version],
    ['SHINYKIT_LEGO_SHA256_X86_64', LEGO.sha256.x86_64],
    ['SHINYKIT_LEGO_SHA256_AARCH64', LEGO.sha256.aarch64],
    ['SHINYKIT_SHINYPROXY_VERSION', cfg.shinyproxy.version],
    ['SHINYKIT_SHINYPROXY_URL', shinyProxyDownloadUrl(cfg.shinyproxy.version)],
    ['SHINYKIT_SHINYPROXY_SHA256', shinyProxyChecksum(cfg)],
  ];
  return [
    '#!/bin/bash',
    `# shinykit host for project ${cfg.name}: writes /etc/shinykit/host.env and the host files,`,
    '# then runs the bootstrap (log: /var/log/shinykit/bootstrap.log). No secrets here: the',
    '# Cognito client secret is read by the host itself whenever ShinyProxy starts.',
    'set -euo pipefail',
    'umask 022',
    'mkdir -p /etc/shinykit',
    "cat >/etc/shinykit/host.env <<'SHINYKIT_ENV'",
    ...env.map(([k, v]) => `${k}=${shellQuote(v)}`),
    'SHINYKIT_ENV',
    '# The files of assets/host (comments stripped), as one gzip stream: EC2 allows 16 KB of user data.',
    "base64 -d <<'SHINYKIT_FILES' | gunzip | bash",
    ...wrap(pack(hostFilesScript()), 76),
    'SHINYKIT_FILES',
    'exec /usr/local/sbin/shinykit-bootstrap',
    '',
  ].join('\n');
}

/**
 * A bash script that writes every host file below `$SHINYKIT_UNPACK_ROOT` (empty on
 * the host; a temporary directory in tests) with its mode.
 */
export function hostFilesScript(): string {
  const dir = hostAssetsDir();
  const lines = ['set -euo pipefail', 'root=${SHINYKIT_UNPACK_ROOT:-}'];
  const dirs = [...new Set(HOST_FILES.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))].sort();
  lines.push(`mkdir -p ${dirs.map((d) => `"$root${d}"`).join(' ')}`);
  for (const f of HOST_FILES) {
    const content = hostFileContent(readFileSync(`${dir}/${f.asset}`, 'utf8'));
    if (!content.endsWith('\n') || /^SHINYKIT_FILE$/m.test(content)) {
      throw new Error(`assets/host/${f.asset} must end with a newline and must not contain a line "SHINYKIT_FILE"`);
    }
    lines.push(`cat >"$root${f.path}" <<'SHINYKIT_FILE'`, content.slice(0, -1), 'SHINYKIT_FILE', `chmod ${f.mode} "$root${f.path}"`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * What a host file looks like on the host: whole-line `#` comments removed (they
 * explain the code in this repository; on the host they would only cost user
 * data bytes), keeping the shebang and shellcheck directives.
 */
export function hostFileContent(text: string): string {
  return text
    .split('\n')
    .filter((line, i) => (i === 0 && line.startsWith('#!')) || /shellcheck /.test(line) || !/^\s*#/.test(line))
    .join('\n');
}

/** gzip with a fixed header (no name, mtime 0, OS "unix") so output does not depend on the build machine. */
function pack(content: string): string {
  const gz = gzipSync(Buffer.from(content, 'utf8'), { level: 9 });
  gz[9] = 3;
  return gz.toString('base64');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out;
}

/** Single-quotes a value for bash (host.env is sourced). Tokens are ids and names without quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** assets/host, from source (lib/constructs) or from the build (dist/lib/constructs). */
export function hostAssetsDir(): string {
  return assetsDir('host', 'shinykit-bootstrap.sh');
}
