/**
 * `shinykit plan` (the built CLI, offline) on a config with a SAML provider whose
 * metadata is a file next to shinykit.yaml: the path resolves against the config
 * file's directory, not the working directory, as it does for `cdk synth`.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { BUNDLED_CONFIG } from '../unit/stacks/synth.js';

const METADATA = `<?xml version="1.0"?>
<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://adfs.example.org/adfs/services/trust">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
</EntityDescriptor>
`;

describe('shinykit plan with identity providers', () => {
  it('synthesizes a SAML provider whose metadata file is relative to shinykit.yaml, from another directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-idp-plan-'));
    const raw = parse(readFileSync(BUNDLED_CONFIG, 'utf8')) as Record<string, any>;
    raw.cognito.identityProviders = [{ type: 'saml', name: 'ADFS', metadataFile: 'idp/adfs.xml' }];
    raw.cognito.localUsers = false;
    for (const app of raw.apps) app.context = join(dirname(BUNDLED_CONFIG), app.context); // the example apps, from the temp folder
    writeFileSync(join(dir, 'shinykit.yaml'), stringify(raw));
    mkdirSync(join(dir, 'idp'));
    writeFileSync(join(dir, 'idp', 'adfs.xml'), METADATA);

    const elsewhere = mkdtempSync(join(tmpdir(), 'shinykit-cwd-'));
    const r = await runCli(['plan', '--config', join(dir, 'shinykit.yaml'), '--json', '--no-preview'], { cwd: elsewhere });
    expect(r.exitCode, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { stacks: { name: string; resources: unknown }[] };
    expect(JSON.stringify(plan.stacks)).toContain('AWS::Cognito::UserPoolIdentityProvider');
  });

  it('exits 2 naming the missing SAML metadata file and what to do, before synthesizing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shinykit-idp-missing-'));
    const raw = parse(readFileSync(BUNDLED_CONFIG, 'utf8')) as Record<string, any>;
    raw.cognito.identityProviders = [{ type: 'saml', name: 'ADFS', metadataFile: 'idp/absent.xml' }];
    raw.cognito.localUsers = false;
    for (const app of raw.apps) app.context = join(dirname(BUNDLED_CONFIG), app.context); // the example apps, from the temp folder
    writeFileSync(join(dir, 'shinykit.yaml'), stringify(raw));

    const r = await runCli(['plan', '--config', join(dir, 'shinykit.yaml'), '--no-preview'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toContain('cognito.identityProviders[0].metadataFile: no file idp/absent.xml');
    expect(r.stderr).toMatch(/download the IdP's SAML metadata XML there, or use metadataUrl \(.*shinykit\.yaml line \d+\)/);
    expect(r.stderr).not.toContain('--debug');
    expect(r.stdout).toBe('');
  });
});
