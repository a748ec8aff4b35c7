/**
 * The host's user data: a short bash script that writes /etc/shinykit/host.env,
 * installs cfn-signal, downloads the host files (assets/host, shipped as one CDK S3
 * asset), installs them with their modes and runs /usr/local/sbin/shinykit-bootstrap.
 * Everything the host does is in those files; this module only wires them.
 *
 * Why a script and not cloud-config: the bootstrap must signal CloudFormation
 * with its own exit status and step, and a script is what shellcheck can check
 * as a whole (the tests do, with the tokens filled in).
 *
 * Why an S3 asset: EC2 limits user data to 16 KB, and the host files packed into it
 * had reached about 14.4 KB; any growth would have failed at deploy time, after the
 * data stack exists. The asset is the standard CDK file asset (the `cdk bootstrap`
 * staging bucket; the README's prerequisites already bootstrap), read by the host
 * role for this one object only. Its S3 key is the hash of the files' contents and
 * host.env names the hash too: a change to any host file changes the user data,
 * which replaces the instance (`userDataCausesReplacement`, host.ts). The host is
 * stateless and re-applies its config from Parameter Store.
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
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Config } from './config/index.js';
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
  /** The pool's hosted-UI URL as deployed (the derived prefix is only known to CloudFormation). */
  readonly cognitoDomainUrl: string;
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

/** Where the user data puts the downloaded host files archive. */
export const HOST_FILES_ARCHIVE = '/var/lib/shinykit/host-files.zip';

/** What assets/host ships besides HOST_FILES: nothing but build leftovers, left out of the asset. */
export const HOST_ASSET_EXCLUDE: readonly string[] = ['__pycache__', '*.pyc'];

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
  { asset: 'systemd/shinykit-reapply.service', path: '/etc/systemd/system/shinykit-reapply.service', mode: '0644' },
  { asset: 'nginx/nginx.conf', path: '/usr/local/share/shinykit/nginx.conf', mode: '0644' },
  { asset: 'nginx/starting.conf', path: '/usr/local/share/shinykit/starting.conf', mode: '0644' },
  { asset: 'nginx/starting.html', path: '/usr/local/share/shinykit/starting.html', mode: '0644' },
  { asset: 'shinyproxy/application-initial.yml', path: '/usr/local/share/shinykit/application-initial.yml', mode: '0644' },
  { asset: 'cloudwatch-agent.json', path: '/usr/local/share/shinykit/cloudwatch-agent.json', mode: '0644' },
];

/** EC2's limit on user data, before base64. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** Builds the host's user data around the host files asset. Pure: same input, same script. */
export function buildHostUserData(input: HostBootstrapInput, hostFiles: s3assets.Asset): ec2.UserData {
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
    // The content hash of assets/host: changed files, changed user data, new instance.
    ['SHINYKIT_HOST_FILES_HASH', hostFiles.assetHash],
    ['SHINYKIT_SHINYPROXY_ALLOW_UNVERIFIED', cfg.shinyproxy.allowUnverifiedDownload ? 'yes' : 'no'],
    // What apply's login check expects ShinyProxy to redirect to (assets/host/shinykit-apply.sh).
    ['SHINYKIT_COGNITO_DOMAIN_URL', input.cognitoDomainUrl],
  ];
  const ud = ec2.UserData.forLinux({ shebang: '#!/bin/bash' });
  ud.addCommands(
    `# shinykit host for project ${cfg.name}: writes /etc/shinykit/host.env, installs cfn-signal,`,
    '# fetches the host files (a CDK asset) and runs the bootstrap (log: /var/log/shinykit/bootstrap.log).',
    '# No secrets here: the Cognito client secret is read by the host itself whenever ShinyProxy starts.',
    'set -Eeuo pipefail',
    'umask 022',
    'mkdir -p /etc/shinykit /var/lib/shinykit',
    "cat >/etc/shinykit/host.env <<'SHINYKIT_ENV'",
    ...env.map(([k, v]) => `${k}=${shellQuote(v)}`),
    'SHINYKIT_ENV',
    '# shellcheck source=/dev/null',
    '. /etc/shinykit/host.env',
    // A failure before the bootstrap runs must reach CloudFormation too (not a 30-minute wait).
    'step=cfn-bootstrap',
    'user_data_failed() {',
    '  trap - ERR',
    '  echo "shinykit user data failed in step $step" | tee /dev/console >&2 || true',
    '  /opt/aws/bin/cfn-signal -e 1 --id "user-data:failed:$step" --stack "$SHINYKIT_STACK" \\',
    '    --resource "$SHINYKIT_RESOURCE" --region "$SHINYKIT_REGION" || true',
    '  exit 1',
    '}',
    "trap user_data_failed ERR",
    '# AL2023 ships no cfn-signal: install it first, alone, retried (the bootstrap skips it then).',
    'for attempt in 1 2 3 4 5 6; do',
    '  if dnf -y -q install aws-cfn-bootstrap; then break; fi',
    '  if [ "$attempt" = 6 ]; then echo "aws-cfn-bootstrap did not install: no cfn-signal" >/dev/console; exit 1; fi',
    '  sleep $((attempt * 10))',
    'done',
    'step=host-files',
    // The AWS CLI retries throttling and network errors itself, up to this many attempts.
    'export AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=10',
    '# shellcheck disable=SC2046',
  );
  ud.addS3DownloadCommand({ bucket: hostFiles.bucket, bucketKey: hostFiles.s3ObjectKey, localFile: HOST_FILES_ARCHIVE, region: input.region });
  ud.addCommands(
    'src=$(mktemp -d)',
    `python3 -m zipfile -e ${HOST_FILES_ARCHIVE} "$src"`,
    ...hostFilesInstallLines(),
    'rm -rf "$src"',
    'trap - ERR',
    'exec /usr/local/sbin/shinykit-bootstrap',
  );
  return ud;
}

/**
 * Bash lines that install every host file from the unpacked asset in `$src` below
 * `$SHINYKIT_UNPACK_ROOT` (empty on the host; a temporary directory in tests), with
 * its mode. Between marker comments, so tests can run exactly these lines.
 */
export function hostFilesInstallLines(): string[] {
  return [
    '# -- install host files',
    'root=${SHINYKIT_UNPACK_ROOT:-}',
    ...HOST_FILES.map((f) => `install -D -m ${f.mode} "$src/${f.asset}" "$root${f.path}"`),
    '# -- end install host files',
  ];
}

/** Single-quotes a value for bash (host.env is sourced). Tokens are ids and names without quotes. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** assets/host, from source (lib/constructs) or from the build (dist/lib/constructs). */
export function hostAssetsDir(): string {
  return assetsDir('host', 'shinykit-bootstrap.sh');
}
