/**
 * Files that shinykit.yaml names and the stacks embed: read here, at config-loading
 * time, by the callers at the edge (bin/shinykit.ts, `shinykit plan`), so constructs
 * take their contents and never touch the file system.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Config } from './schema.js';
import { InputError } from '../errors.js';

/** SAML metadata XML by the `metadataFile` value as written in the config. */
export type SamlMetadata = Readonly<Record<string, string>>;

/**
 * Reads every SAML provider's `metadataFile`, relative to `configDir` (shinykit.yaml's
 * directory). Throws InputError when a file is missing or is not SAML metadata.
 */
export function readSamlMetadata(cfg: Config, configDir: string): SamlMetadata {
  const out: Record<string, string> = {};
  for (const p of cfg.cognito.identityProviders) {
    if (p.type !== 'saml' || p.metadataFile === undefined) continue;
    const path = isAbsolute(p.metadataFile) ? p.metadataFile : resolve(configDir, p.metadataFile);
    let xml: string;
    try {
      xml = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new InputError(
        'SamlMetadataUnreadable',
        `cognito.identityProviders (${p.name}): cannot read SAML metadataFile ${path} (${code})`,
        'download the metadata XML from your identity provider to that path (relative paths start at shinykit.yaml\'s folder), or use metadataUrl',
        { cause: err },
      );
    }
    if (!/<([A-Za-z0-9_]+:)?EntityDescriptor[\s>]/.test(xml)) {
      throw new InputError(
        'SamlMetadataInvalid',
        `cognito.identityProviders (${p.name}): ${path} is not SAML metadata (no EntityDescriptor element)`,
        'save the identity provider\'s federation metadata XML there, not its login page',
      );
    }
    out[p.metadataFile] = xml;
  }
  return out;
}
