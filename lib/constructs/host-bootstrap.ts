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
 * ShinyProxy: the official jar (GitHub release asset), run by Amazon Corretto from
 * AL2023's own repositories, rather than the openanalytics/shinyproxy container
 * image. As a systemd service it reaches Docker over the unix socket, binds
 * 127.0.0.1:8080 directly (no host networking tricks), gets the Cognito client
 * secret from a root-only ExecStartPre, and logs like every other service. The
 * jar is verified against a SHA-256 checksum: `shinyproxy.sha256` in
 * shinykit.yaml, else `SHINYPROXY_SHA256` below; with neither, the host refuses
 * to install it unless the config sets `shinyproxy.allowUnverifiedDownload`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { cognitoDomainPrefix, type Config } from '../config.js';
import { assetsDir } from './assets.js';

/** Everything the first-boot script may need; tokens are resolved by CloudFormation. */
export interface HostBootstrapInput {
  /** The validated shinykit.yaml. */
  readonly config: Config;
  /** The site's DNS name: `domain`, or `<elastic-ip>.sslip.io` (a token then). */
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
 * SHA-256 of the official ShinyProxy jar, by version. The host installs a jar only
 * when its download matches (or the config sets `shinyproxy.allowUnverifiedDownload`).
 *
 * 3.2.4 — how sure we are: the one public source of this value is a workshop's
 * golden-image script (two revisions of the same file) that downloads the GitHub
 * release asset and checks it with `sha256sum --check`; no other script, Dockerfile
 * or OpenAnalytics page found here publishes a checksum for any release (searched
 * 2026-12-02), and this kit was built without internet access, so it could not be
 * recomputed. If it is wrong, the host fails closed: the bootstrap stops in step
 * shinyproxy-install with "checksum mismatch" and CloudFormation gets FAILURE, which
 * is the safe direction. To confirm or replace it: `sha256sum shinyproxy-3.2.4.jar`
 * of a download you trust, then `shinyproxy.sha256` in shinykit.yaml overrides this.
 */
export const SHINYPROXY_SHA256: Readonly<Record<string, string>> = {
  '3.2.4': '0bd68e3ba31b5288b5523ee250e90f316f5e0524bd11bcc18645499ede1ee57e',
};

/** The GitHub release asset: the artifact the pinned checksum above was taken from. */
export function shinyProxyDownloadUrl(version: string): string {
  return `https://github.com/openanalytics/shinyproxy/releases/download/v${version}/shinyproxy-${version}.jar`;
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
  { asset: 'shinykit-shinyproxy-jar.sh', path: '/usr/local/sbin/shinykit-shinyproxy-jar', mode: '0755' },
  { asset: 'shinykit-lock.sh', path: '/usr/local/sbin/shinykit-lock', mode: '0755' },
  { asset: 'shinykit-orphans.sh', path: '/usr/local/sbin/shinykit-orphans', mode: '0755' },
  { asset: 'shinykit-memory.sh', path: '/usr/local/sbin/shinykit-memory', mode: '0755' },
  { asset: 'shinykit-status.py', path: '/usr/local/sbin/shinykit-status', mode: '0755' },
  { asset: 'docker/daemon.json', path: '/usr/local/share/shinykit/daemon.json', mode: '0644' },
  { asset: 'logrotate/shinykit', path: '/usr/local/share/shinykit/logrotate-shinykit', mode: '0644' },
  { asset: 'logrotate/nginx', path: '/usr/local/share/shinykit/logrotate-nginx', mode: '0644' },
  { asset: 'tmpfiles/shinykit.conf', path: '/usr/local/share/shinykit/tmpfiles-shinykit.conf', mode: '0644' },
  { asset: 'systemd/shinyproxy.service', path: '/etc/systemd/system/shinyproxy.service', mode: '0644' },
  { asset: 'systemd/shinykit-tls.service', path: '/etc/systemd/system/shinykit-tls.service', mode: '0644' },
  { asset: 'systemd/shinykit-tls.timer', path: '/etc/systemd/system/shinykit-tls.timer', mode: '0644' },
  { asset: 'systemd/shinykit-certbot-renew.service', path: '/etc/systemd/system/shinykit-certbot-renew.service', mode: '0644' },
  { asset: 'systemd/shinykit-certbot-renew.timer', path: '/etc/systemd/system/shinykit-certbot-renew.timer', mode: '0644' },
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
    ['SHINYKIT_SHINYPROXY_VERSION', cfg.shinyproxy.version],
    ['SHINYKIT_SHINYPROXY_URL', shinyProxyDownloadUrl(cfg.shinyproxy.version)],
    ['SHINYKIT_SHINYPROXY_SHA256', shinyProxyChecksum(cfg)],
    ['SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED', cfg.shinyproxy.allowUnverifiedDownload ? 'yes' : 'no'],
    // What apply's login check expects ShinyProxy to redirect to (assets/host/shinykit-apply.sh).
    ['SHINYKIT_COGNITO_DOMAIN_URL', `https://${cognitoDomainPrefix(cfg)}.auth.${input.region}.amazoncognito.com`],
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
