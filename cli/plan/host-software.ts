/**
 * What the host installs that the kit cannot vouch for by itself: the ShinyProxy
 * jar is verified against a pinned SHA-256 when one is known (shinykit.yaml, or
 * the kit's table); without one, the host falls back to a checksum file next to
 * the download, or installs it unverified. plan says which, before any deploy.
 */
import type { Config } from '../../lib/config.js';
import { SHINYPROXY_SHA256, shinyProxyDownloadUrl } from '../../lib/constructs/host-bootstrap.js';

export interface HostSoftware {
  readonly shinyproxyVersion: string;
  readonly downloadUrl: string;
  /** `config`: shinyproxy.sha256; `kit`: the kit's table; `none`: nothing pinned. */
  readonly checksumPin: 'config' | 'kit' | 'none';
}

export function describeHostSoftware(cfg: Config): HostSoftware {
  const version = cfg.shinyproxy.version;
  return {
    shinyproxyVersion: version,
    downloadUrl: shinyProxyDownloadUrl(version),
    checksumPin: cfg.shinyproxy.sha256 ? 'config' : SHINYPROXY_SHA256[version] ? 'kit' : 'none',
  };
}

export function formatHostSoftware(s: HostSoftware): string[] {
  const lines = [`  ShinyProxy ${s.shinyproxyVersion}: the official jar (${s.downloadUrl})`];
  if (s.checksumPin === 'none') {
    lines.push(
      '    warning: no SHA-256 is pinned for this version. The host checks the download against a checksum file',
      '    published next to it if there is one, and otherwise installs it unverified (reported in status/bootstrap).',
      '    Pin it: set shinyproxy.sha256 in shinykit.yaml to the sha256sum of that jar.',
    );
  } else {
    lines.push(`    verified at install against the SHA-256 pinned in ${s.checksumPin === 'config' ? 'shinykit.yaml (shinyproxy.sha256)' : 'the kit'}`);
  }
  return lines;
}
