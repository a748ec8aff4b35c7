/**
 * What the host installs that the kit cannot vouch for by itself: the ShinyProxy
 * jar is verified against a pinned SHA-256 (shinykit.yaml, or the kit's table);
 * without one the host refuses it unless shinyproxy.allowUnverifiedDownload is
 * set. plan says which, before any deploy.
 */
import type { Config } from '../../lib/config/index.js';
import { SHINYPROXY_SHA256, shinyProxyDownloadUrl } from '../../lib/host-bootstrap.js';

export interface HostSoftware {
  readonly shinyproxyVersion: string;
  readonly downloadUrl: string;
  /** `config`: shinyproxy.sha256; `kit`: the kit's table; `none`: nothing pinned. */
  readonly checksumPin: 'config' | 'kit' | 'none';
  /** shinyproxy.allowUnverifiedDownload. */
  readonly allowUnverified: boolean;
}

export function describeHostSoftware(cfg: Config): HostSoftware {
  const version = cfg.shinyproxy.version;
  return {
    shinyproxyVersion: version,
    downloadUrl: shinyProxyDownloadUrl(version),
    checksumPin: cfg.shinyproxy.sha256 ? 'config' : SHINYPROXY_SHA256[version] ? 'kit' : 'none',
    allowUnverified: cfg.shinyproxy.allowUnverifiedDownload,
  };
}

export function formatHostSoftware(s: HostSoftware): string[] {
  const lines = [`  ShinyProxy ${s.shinyproxyVersion}: the official jar (${s.downloadUrl})`];
  if (s.checksumPin === 'none') {
    lines.push(
      s.allowUnverified
        ? '    warning: no SHA-256 is pinned for this version and shinyproxy.allowUnverifiedDownload is on: the host installs it unverified.'
        : '    warning: no SHA-256 is pinned for this version: the host will refuse the download and the deploy will fail.',
      '    Pin it: set shinyproxy.sha256 in shinykit.yaml to the sha256sum of that jar.',
    );
  } else {
    lines.push(`    verified at install against the SHA-256 pinned in ${s.checksumPin === 'config' ? 'shinykit.yaml (shinyproxy.sha256)' : 'the kit'}`);
  }
  return lines;
}
