/**
 * Federated sign-in in the data stack: one Cognito identity provider per
 * configured Google / OIDC / SAML provider with the email (and name) mapping
 * ShinyProxy needs, client secrets referenced by Secrets Manager NAME only, the
 * app client listing the providers (and created after them), the direct-login
 * output, and the group-mapping trigger (version, permissions, log retention).
 * Without providers the template is exactly what it was before.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExtraOutputKeys } from '../../../lib/outputs.js';
import { GOOGLE, OKTA } from '../../support/identity-providers.js';
import { configVariant, only, policyStatements, resourcesOf, synth, type Synthesized } from './synth.js';
import { readSamlMetadata } from '../../../lib/config/files.js';
import { InputError } from '../../../lib/errors.js';

/** Unlike the shared sample, maps the name claim too and has a GUID client id. */
const ENTRA = {
  type: 'oidc',
  name: 'EntraID',
  issuerUrl: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  clientId: '11111111-2222-3333-4444-555555555555',
  clientSecretName: 'shinykit/entra-client',
  attributeMapping: { groups: 'groups', name: 'preferred_username' },
};

const METADATA = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://adfs.example.org/adfs/services/trust">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://adfs.example.org/adfs/ls/"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`;

/** Provider resources by ProviderName. */
function providers(s: Synthesized): Record<string, any> {
  return Object.fromEntries(
    resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolIdentityProvider').map(([id, r]) => [r.Properties.ProviderName, { id, ...r }]),
  );
}

let plain: Synthesized;
let explicitDefaults: Synthesized;
let all: Synthesized;
let single: Synthesized;
let samlFile: Synthesized;
let configDir: string;

beforeAll(() => {
  plain = synth(configVariant());
  explicitDefaults = synth(
    configVariant((raw) => Object.assign(raw.cognito, { identityProviders: [], localUsers: true, groupMapping: {}, defaultGroups: [] })),
  );
  all = synth(
    configVariant((raw) => {
      raw.cognito.identityProviders = [GOOGLE, ENTRA, { ...OKTA, trustEmail: true }];
      // Two providers send groups, so every key names the provider it trusts.
      raw.cognito.groupMapping = { 'EntraID:AAAA-Sales-Group-Id': 'shiny_users', 'okta:Analytics Admins': ['admin_users', 'dash_users'] };
      raw.cognito.defaultGroups = ['dash_users'];
      raw.cognito.federatedEmailDomains = ['example.org'];
    }),
  );
  single = synth(
    configVariant((raw) => {
      raw.cognito.identityProviders = [ENTRA];
      raw.cognito.localUsers = false;
    }),
  );
  configDir = mkdtempSync(join(tmpdir(), 'shinykit-saml-'));
  writeFileSync(join(configDir, 'adfs-metadata.xml'), METADATA);
  samlFile = synth(
    configVariant((raw) => {
      raw.cognito.identityProviders = [{ type: 'saml', name: 'ADFS', metadataFile: 'adfs-metadata.xml' }];
    }),
    { configDir },
  );
});

describe('without identity providers', () => {
  it('synthesizes the same data template as a config that spells out the defaults', () => {
    expect(explicitDefaults.dataJson).toEqual(plain.dataJson);
  });

  it('has no provider, no trigger and a COGNITO-only client (custom:groups is declared anyway, so adding a provider later leaves the schema alone)', () => {
    plain.data.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    plain.data.resourceCountIs('AWS::Lambda::Function', 0);
    const pool = only(plain.dataJson, 'AWS::Cognito::UserPool');
    expect(pool.Properties.LambdaConfig).toBeUndefined();
    expect(pool.Properties.Schema.map((a: any) => a.Name)).toEqual(['email', 'groups']);
    expect(only(plain.dataJson, 'AWS::Cognito::UserPoolClient').Properties.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(plain.dataJson.Outputs[ExtraOutputKeys.LoginIdentityProvider]).toBeUndefined();
  });
});

describe('Google provider', () => {
  it('maps email, email_verified and name, with openid email profile scopes', () => {
    const g = providers(all).Google;
    expect(g.Properties.ProviderType).toBe('Google');
    expect(g.Properties.AttributeMapping).toEqual({ email: 'email', email_verified: 'email_verified', name: 'name' });
    expect(g.Properties.ProviderDetails.client_id).toBe(GOOGLE.clientId);
    expect(g.Properties.ProviderDetails.authorize_scopes).toBe('openid email profile');
  });
});

describe('OIDC provider', () => {
  it('uses the issuer, the scopes and maps email, the configured name claim and groups into custom:groups', () => {
    const e = providers(all).EntraID;
    expect(e.Properties.ProviderType).toBe('OIDC');
    expect(e.Properties.ProviderDetails).toMatchObject({
      oidc_issuer: ENTRA.issuerUrl,
      client_id: ENTRA.clientId,
      authorize_scopes: 'openid email profile',
      attributes_request_method: 'GET',
    });
    expect(e.Properties.AttributeMapping).toEqual({
      email: 'email',
      name: 'preferred_username',
      email_verified: 'email_verified',
      'custom:groups': 'groups',
    });
  });
});

describe('SAML provider', () => {
  it('reads the metadata from the URL and maps the emailaddress claim and groups', () => {
    const o = providers(all).Okta;
    expect(o.Properties.ProviderType).toBe('SAML');
    expect(o.Properties.ProviderDetails).toMatchObject({ MetadataURL: OKTA.metadataUrl });
    expect(o.Properties.AttributeMapping).toEqual({
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      'custom:groups': 'groups',
    });
  });

  it('embeds a metadata file read relative to the config directory', () => {
    const a = providers(samlFile).ADFS;
    expect(a.Properties.ProviderDetails.MetadataFile).toBe(METADATA);
    expect(a.Properties.ProviderDetails.MetadataURL).toBeUndefined();
  });

  it('refuses a missing metadata file and a file that is not SAML metadata as input errors naming the path', () => {
    const cfg = configVariant((raw) => {
      raw.cognito.identityProviders = [{ type: 'saml', name: 'ADFS', metadataFile: 'nope.xml' }];
    });
    const thrown = (): InputError => {
      try {
        readSamlMetadata(cfg, configDir);
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return err as InputError;
      }
      throw new Error('expected an InputError');
    };
    const missing = thrown();
    expect(missing.code).toBe('SamlMetadataUnreadable');
    expect(missing.message).toMatch(/cannot read SAML metadataFile .*nope\.xml \(ENOENT\)/);
    writeFileSync(join(configDir, 'nope.xml'), '<html>login page</html>');
    const wrong = thrown();
    expect(wrong.code).toBe('SamlMetadataInvalid');
    expect(wrong.message).toMatch(/nope\.xml is not SAML metadata/);
  });
});

describe('client secrets are referenced by Secrets Manager name only', () => {
  it('puts a dynamic reference, never a value, in each provider\'s client_secret', () => {
    const p = providers(all);
    expect(p.Google.Properties.ProviderDetails.client_secret).toBe('{{resolve:secretsmanager:shinykit/google-client:SecretString:::}}');
    expect(p.EntraID.Properties.ProviderDetails.client_secret).toBe('{{resolve:secretsmanager:shinykit/entra-client:SecretString:::}}');
    expect(p.Okta.Properties.ProviderDetails.client_secret).toBeUndefined();
  });

  it('mentions the secret names nowhere but in those references, and creates no secret or parameter', () => {
    const text = JSON.stringify(all.dataJson);
    for (const name of [GOOGLE.clientSecretName, ENTRA.clientSecretName]) {
      const hits = text.split(name).length - 1;
      expect(hits, name).toBe(1);
      expect(text).toContain(`{{resolve:secretsmanager:${name}:SecretString:::}}`);
    }
    all.data.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(all.dataJson.Outputs)).not.toMatch(/secretsmanager|client_secret/i);
    expect(JSON.stringify(all.dataJson.Parameters ?? {})).not.toMatch(/secret/i);
  });
});

describe('the app client', () => {
  it('lists COGNITO and every provider and is created after the providers', () => {
    const [id, client] = resourcesOf(all.dataJson, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.SupportedIdentityProviders).toEqual(['COGNITO', 'Google', 'EntraID', 'Okta']);
    const ids = Object.values(providers(all)).map((p: any) => p.id);
    expect([...client.DependsOn].sort(), id).toEqual([...ids].sort());
  });

  it('keeps the same client settings (flow, scopes, callback) as without providers', () => {
    const a = only(all.dataJson, 'AWS::Cognito::UserPoolClient').Properties;
    const b = only(plain.dataJson, 'AWS::Cognito::UserPoolClient').Properties;
    const { SupportedIdentityProviders: _a, WriteAttributes: _wa, ...restA } = a;
    const { SupportedIdentityProviders: _b, WriteAttributes: _wb, ...restB } = b;
    expect(restA).toEqual(restB);
  });

  it('may write exactly the attributes the providers map (Cognito refuses a sign-in that writes any other)', () => {
    const mapped = new Set(Object.values(providers(all)).flatMap((p: any) => Object.keys(p.Properties.AttributeMapping)));
    expect(new Set(only(all.dataJson, 'AWS::Cognito::UserPoolClient').Properties.WriteAttributes)).toEqual(mapped);
    expect(only(plain.dataJson, 'AWS::Cognito::UserPoolClient').Properties.WriteAttributes.sort()).toEqual(['email', 'name']);
    // SAML maps no email_verified: the client may not write it either.
    expect(only(samlFile.dataJson, 'AWS::Cognito::UserPoolClient').Properties.WriteAttributes.sort()).toEqual(['email', 'name']);
  });

  it('drops COGNITO with localUsers: false and outputs the one provider for direct login', () => {
    expect(only(single.dataJson, 'AWS::Cognito::UserPoolClient').Properties.SupportedIdentityProviders).toEqual(['EntraID']);
    expect(single.dataJson.Outputs[ExtraOutputKeys.LoginIdentityProvider].Value).toBe('EntraID');
  });

  it('has no direct-login output while local users or several providers can sign in', () => {
    expect(all.dataJson.Outputs[ExtraOutputKeys.LoginIdentityProvider]).toBeUndefined();
  });
});

describe('custom:groups attribute', () => {
  it('is the same (mutable, 2048 characters) whether or not a provider maps a groups claim: no config change alters the schema', () => {
    const schema = only(all.dataJson, 'AWS::Cognito::UserPool').Properties.Schema;
    expect(schema).toContainEqual({ AttributeDataType: 'String', Mutable: true, Name: 'groups', StringAttributeConstraints: { MaxLength: '2048' } });
    for (const v of [single, samlFile, plain]) expect(only(v.dataJson, 'AWS::Cognito::UserPool').Properties.Schema).toEqual(schema);
  });
});

describe('group-mapping trigger', () => {
  it('is the pool\'s V1_0 pre-token-generation trigger, only when a mapping or default groups are set', () => {
    const pool = only(all.dataJson, 'AWS::Cognito::UserPool');
    const [fnId] = resourcesOf(all.dataJson, 'AWS::Lambda::Function')[0]!;
    expect(pool.Properties.LambdaConfig).toEqual({ PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [fnId, 'Arn'] }, LambdaVersion: 'V1_0' } });
    expect(Object.keys(pool.Properties.LambdaConfig)).not.toContain('PreTokenGeneration');
    single.data.resourceCountIs('AWS::Lambda::Function', 0);
    expect(only(single.dataJson, 'AWS::Cognito::UserPool').Properties.LambdaConfig).toBeUndefined();
  });

  it('carries the mapping keyed by provider (lower-cased), default groups and trusted providers in its environment', () => {
    const fn = only(all.dataJson, 'AWS::Lambda::Function');
    expect(JSON.parse(fn.Properties.Environment.Variables.GROUP_MAPPING)).toEqual({
      'entraid:aaaa-sales-group-id': ['shiny_users'],
      'okta:analytics admins': ['admin_users', 'dash_users'],
    });
    expect(JSON.parse(fn.Properties.Environment.Variables.TRUSTED_EMAIL_PROVIDERS)).toEqual(['Okta']);
    expect(JSON.parse(fn.Properties.Environment.Variables.DEFAULT_GROUPS)).toEqual(['dash_users']);
    expect(JSON.parse(fn.Properties.Environment.Variables.EMAIL_DOMAINS)).toEqual(['example.org']);
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: 5, MemorySize: 128, Architectures: ['arm64'] });
  });

  it('logs to its own log group, kept 90 days', () => {
    const fn = only(all.dataJson, 'AWS::Lambda::Function');
    const [logId, log] = resourcesOf(all.dataJson, 'AWS::Logs::LogGroup')[0]!;
    expect(log.Properties.RetentionInDays).toBe(90);
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logId } });
    // Ordered by the Ref; DependsOn keeps only the role's policy (cfn-lint W3005).
    expect(fn.DependsOn).toEqual([expect.stringMatching(/^IdentityGroupMappingRoleDefaultPolicy/)]);
    void logId;
  });

  it('has a role that may only write to that log group (no managed policies)', () => {
    const fn = only(all.dataJson, 'AWS::Lambda::Function');
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const role = all.dataJson.Resources[roleId];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    const [logId] = resourcesOf(all.dataJson, 'AWS::Logs::LogGroup')[0]!;
    expect(policyStatements(all.dataJson)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logId, 'Arn'] }, Sid: 'WriteOwnLogs' },
    ]);
  });

  it('may be invoked by Cognito for this user pool only', () => {
    const perm = only(all.dataJson, 'AWS::Lambda::Permission');
    const [poolId] = resourcesOf(all.dataJson, 'AWS::Cognito::UserPool')[0]!;
    expect(perm.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    });
  });

  it('ships index.mjs and groups.mjs as the function code, without the test type files', () => {
    const dirs = readdirSync(all.outdir).filter((d) => d.startsWith('asset.'));
    const code = dirs.map((d) => join(all.outdir, d)).find((d) => existsSync(join(d, 'index.mjs')));
    expect(code).toBeDefined();
    expect(readdirSync(code!).sort()).toEqual(['groups.mjs', 'index.mjs']);
  });
});
