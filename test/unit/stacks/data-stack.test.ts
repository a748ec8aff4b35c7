/**
 * The data stack for the bundled shinykit.yaml: Elastic IP, ECR repositories,
 * Cognito user pool, groups, domain and client, and the output contract.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { OutputKeys, repositoryOutputKey, requiredOutputKeys, ExtraOutputKeys } from '../../../lib/outputs.js';
import { cognitoDomainPrefix, stackIdSuffix } from '../../../lib/config/index.js';
import { refusedUserPoolChanges } from '../../../lib/cognito-changes.js';
import { configVariant, contractOutputKeys, evaluate, only, render, resourcesOf, synth, type Synthesized } from './synth.js';

/** A StackId as CloudFormation writes it (the documentation's example UUID). */
const DATA_STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/analytics-data/51af3dc0-da77-11e4-872e-1234567890ab';

let s: Synthesized;
beforeAll(() => {
  s = synth(configVariant());
});

describe('data stack: Elastic IP', () => {
  it('creates one VPC Elastic IP retained on update and delete, but not after a failed first create (RetainExceptOnCreate)', () => {
    const eip = only(s.dataJson, 'AWS::EC2::EIP');
    expect(eip.Properties.Domain).toBe('vpc');
    expect(eip.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(eip.UpdateReplacePolicy).toBe('Retain');
  });

  it('creates no DNS record when hostedZone is not set', () => {
    s.data.resourceCountIs('AWS::Route53::RecordSet', 0);
  });
});

describe('data stack: ECR repositories', () => {
  it('creates one repository per app named <name>/<app-id>', () => {
    const names = resourcesOf(s.dataJson, 'AWS::ECR::Repository').map(([, r]) => r.Properties.RepositoryName).sort();
    expect(names).toEqual(['analytics/dash-demo', 'analytics/shiny-demo']);
  });

  it('scans on push, has immutable tags, encryption, a keep-most-recent lifecycle rule and is retained except on a failed create', () => {
    for (const [, repo] of resourcesOf(s.dataJson, 'AWS::ECR::Repository')) {
      expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      expect(repo.Properties.ImageTagMutability).toBe('IMMUTABLE');
      expect(repo.Properties.EncryptionConfiguration).toEqual({ EncryptionType: 'AES256' });
      expect(repo.DeletionPolicy).toBe('RetainExceptOnCreate');
      expect(repo.UpdateReplacePolicy).toBe('Retain');
      const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
      expect(rules).toEqual([
        expect.objectContaining({
          selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
          action: { type: 'expire' },
        }),
      ]);
      // No repository policy: access comes from IAM only (the host role).
      expect(repo.Properties.RepositoryPolicyText).toBeUndefined();
    }
  });
});

describe('data stack: Cognito user pool', () => {
  it('lets only administrators create users, signs in by case-insensitive email', () => {
    s.data.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
  });

  it('requires 12+ characters with every character class and a temporary password valid 3 days', () => {
    s.data.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
    });
  });

  it('has deletion protection and is retained on stack deletion (not after a failed first create)', () => {
    const pool = only(s.dataJson, 'AWS::Cognito::UserPool');
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
  });

  it('defaults to required TOTP MFA (no SMS) on the Essentials plan without threat protection', () => {
    const pool = only(s.dataJson, 'AWS::Cognito::UserPool');
    expect(pool.Properties.MfaConfiguration).toBe('ON');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.UserPoolTier).toBe('ESSENTIALS');
    expect(pool.Properties.UserPoolAddOns).toBeUndefined();
    expect(pool.Properties.SmsConfiguration).toBeUndefined();
  });

  it('creates one group per configured group with its description and precedence', () => {
    const groups = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['admin_users', 'dash_users', 'shiny_users']);
    expect(groups.find((g) => g.GroupName === 'admin_users')).toMatchObject({
      Description: 'Every app and the ShinyProxy admin page',
      Precedence: 1,
    });
    expect(groups.find((g) => g.GroupName === 'dash_users')).toMatchObject({ Precedence: 10 });
  });

  it('derives the domain prefix from the data stack id in CloudFormation: not a literal, and equal to cognitoDomainPrefix(cfg, stackId)', () => {
    const domain = only(s.dataJson, 'AWS::Cognito::UserPoolDomain').Properties.Domain;
    expect(typeof domain).not.toBe('string');
    expect(JSON.stringify(domain)).toContain('AWS::StackId');
    const evaluated = evaluate(domain, { 'AWS::StackId': DATA_STACK_ID });
    expect(evaluated).toBe('analytics-login-51af3dc0');
    expect(evaluated).toBe(cognitoDomainPrefix(s.config, DATA_STACK_ID));
    // A valid prefix (Cognito: lowercase letters, digits, hyphens, 1-63) with no reserved word.
    expect(evaluated).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(evaluated).not.toMatch(/aws|amazon|cognito/);
  });

  it('gives two data stacks (two accounts, or a retry after a rollback) different prefixes, and one stack the same prefix at every update', () => {
    const domain = only(s.dataJson, 'AWS::Cognito::UserPoolDomain').Properties.Domain;
    const other = 'arn:aws:cloudformation:eu-west-1:210987654321:stack/analytics-data/9c0e4a10-5f2b-11ef-9a0e-0ae8cc519968';
    expect(evaluate(domain, { 'AWS::StackId': other })).toBe('analytics-login-9c0e4a10');
    expect(evaluate(domain, { 'AWS::StackId': DATA_STACK_ID })).toBe(evaluate(domain, { 'AWS::StackId': DATA_STACK_ID }));
    expect(synth(configVariant()).dataJson.Resources).toEqual(s.dataJson.Resources);
  });

  it('stackIdSuffix refuses what is not a StackId, naming the value', () => {
    expect(() => stackIdSuffix('analytics-data')).toThrow(/not a CloudFormation StackId: "analytics-data"/);
  });

  it('states AttributeDataType String on the email schema entry and declares custom:groups on every pool (aws/aws-cdk#8585)', () => {
    const schema = only(s.dataJson, 'AWS::Cognito::UserPool').Properties.Schema;
    expect(schema).toEqual([
      { AttributeDataType: 'String', Mutable: true, Name: 'email', Required: true },
      { AttributeDataType: 'String', Mutable: true, Name: 'groups', StringAttributeConstraints: { MaxLength: '2048' } },
    ]);
    for (const a of schema) expect(a.AttributeDataType).toBeDefined();
  });
});

describe('data stack: termination protection', () => {
  it('is on for the data stack (cdk destroy cannot take the users, images and address by accident) and off for the host', () => {
    const manifest = JSON.parse(readFileSync(join(s.outdir, 'manifest.json'), 'utf8'));
    const props = (name: string) => manifest.artifacts[name].properties;
    expect(props('analytics-data').terminationProtection).toBe(true);
    expect(props('analytics-host').terminationProtection).toBeFalsy();
  });
});

describe('refusedUserPoolChanges: what Cognito would refuse on a deployed pool', () => {
  const withDomain = (t: any, domain: unknown) => {
    const copy = structuredClone(t);
    for (const r of Object.values<any>(copy.Resources)) if (r.Type === 'AWS::Cognito::UserPoolDomain') r.Properties.Domain = domain;
    return copy;
  };

  it('finds nothing between a template and itself (every update the kit makes keeps the prefix and the schema)', () => {
    expect(refusedUserPoolChanges(s.dataJson, s.dataJson)).toEqual([]);
  });

  it('flags a domain prefix change, from the derived one to a set one and from an old literal default', () => {
    const set = withDomain(s.dataJson, 'acme-analytics');
    const [change] = refusedUserPoolChanges(s.dataJson, set);
    expect(change).toMatchObject({ code: 'domain-prefix-changed' });
    expect(change!.message).toContain('"analytics-login-<data-stack-id>" (derived) to "acme-analytics"');
    expect(change!.fix).toMatch(/set cognito\.domainPrefix to the prefix in the data stack's CognitoDomainUrl output/);
    const old = withDomain(s.dataJson, 'analytics-login');
    expect(refusedUserPoolChanges(old, s.dataJson).map((c) => c.code)).toEqual(['domain-prefix-changed']);
  });

  it('flags removing or changing a custom attribute, comparing "true" and true alike', () => {
    const pool = (t: any) => Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::Cognito::UserPool');
    const removed = structuredClone(s.dataJson);
    pool(removed).Properties.Schema = pool(removed).Properties.Schema.filter((a: any) => a.Name !== 'groups');
    expect(refusedUserPoolChanges(s.dataJson, removed).map((c) => c.code)).toEqual(['custom-attribute-removed']);
    expect(refusedUserPoolChanges(removed, s.dataJson)).toEqual([]); // adding one is fine
    const stringly = structuredClone(s.dataJson);
    pool(stringly).Properties.Schema[1].Mutable = 'true';
    expect(refusedUserPoolChanges(s.dataJson, stringly)).toEqual([]);
    const changed = structuredClone(s.dataJson);
    pool(changed).Properties.Schema[1].StringAttributeConstraints = { MaxLength: '256' };
    expect(refusedUserPoolChanges(s.dataJson, changed).map((c) => c.code)).toEqual(['custom-attribute-changed']);
  });
});

describe('data stack: app client', () => {
  it('uses the authorization-code flow with a secret and the openid email profile scopes', () => {
    s.data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: Match.arrayEquals(['openid', 'email', 'profile']),
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
    });
  });

  it('sets bounded token lifetimes (1 h access and id tokens, 1 day refresh)', () => {
    s.data.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 1440,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('calls back to https://<eip>/login/oauth2/code/shinyproxy and signs out to https://<eip> (an IP host: Cognito asks only for an absolute https URI)', () => {
    const client = only(s.dataJson, 'AWS::Cognito::UserPoolClient');
    const eip = resourcesOf(s.dataJson, 'AWS::EC2::EIP')[0]![0];
    expect(client.Properties.CallbackURLs.map(render)).toEqual([`https://<${eip}.PublicIp>/login/oauth2/code/shinyproxy`]);
    expect(client.Properties.LogoutURLs.map(render)).toEqual([`https://<${eip}.PublicIp>`]);
  });
});

describe('data stack: outputs', () => {
  it('emits exactly the contract keys that belong to the data stack', () => {
    const expected = requiredOutputKeys(s.config).filter((k) => k !== OutputKeys.HostInstanceId);
    // UserPoolMfa is the one extra every data stack has (validate/plan compare against it).
    expect(contractOutputKeys(s.dataJson).sort()).toEqual([...expected, ExtraOutputKeys.UserPoolMfa].sort());
    expect(expected).toContain(repositoryOutputKey('shiny-demo'));
    expect(expected).toContain('RepositoryDashDemo');
    for (const k of Object.values(ExtraOutputKeys).filter((k) => k !== ExtraOutputKeys.UserPoolMfa)) {
      expect(contractOutputKeys(s.dataJson)).not.toContain(k);
    }
  });

  it('builds CognitoDomainUrl, JwksUrl and LogoutUrl from the prefix, region, pool and client', () => {
    const out = s.dataJson.Outputs;
    const pool = resourcesOf(s.dataJson, 'AWS::Cognito::UserPool')[0]![0];
    const client = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolClient')[0]![0];
    const eip = resourcesOf(s.dataJson, 'AWS::EC2::EIP')[0]![0];
    const domain = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolDomain')[0]![0];
    // The domain's Ref: the prefix CloudFormation created, never recomputed.
    expect(render(out.CognitoDomainUrl.Value)).toBe(`https://<${domain}>.auth.<AWS::Region>.amazoncognito.com`);
    expect(render(out.JwksUrl.Value)).toBe(`https://cognito-idp.<AWS::Region>.amazonaws.com/<${pool}>/.well-known/jwks.json`);
    expect(render(out.LogoutUrl.Value)).toBe(
      `https://<${domain}>.auth.<AWS::Region>.amazoncognito.com/logout?client_id=<${client}>&logout_uri=https://<${eip}.PublicIp>`,
    );
    expect(render(out.UserPoolId.Value)).toBe(`<${pool}>`);
    expect(render(out.UserPoolClientId.Value)).toBe(`<${client}>`);
    expect(render(out.Region.Value)).toBe('<AWS::Region>');
    expect(render(out.SiteHostname.Value)).toBe(`<${eip}.PublicIp>`);
    expect(render(out.HostPublicIp.Value)).toBe(`<${eip}.PublicIp>`);
  });

  it('gives SiteUrl without a trailing slash, byte-identical to the client sign-out URL and LogoutUrl logout_uri', () => {
    const client = only(s.dataJson, 'AWS::Cognito::UserPoolClient');
    const siteUrl = render(s.dataJson.Outputs.SiteUrl.Value);
    expect(siteUrl).not.toMatch(/\/$/);
    expect(render(client.Properties.LogoutURLs[0])).toBe(siteUrl);
    expect(render(s.dataJson.Outputs.LogoutUrl.Value).split('&logout_uri=')[1]).toBe(siteUrl);
  });

  it('gives each Repository<AppKey> the repository URI', () => {
    const repos = resourcesOf(s.dataJson, 'AWS::ECR::Repository');
    const shiny = repos.find(([, r]) => r.Properties.RepositoryName === 'analytics/shiny-demo')![0];
    expect(JSON.stringify(s.dataJson.Outputs.RepositoryShinyDemo.Value)).toContain(`"${shiny}"`);
    expect(JSON.stringify(s.dataJson.Outputs.RepositoryShinyDemo.Value)).toContain('.dkr.ecr.');
  });

  it('exports the values the host stack imports whatever the config (no deadly embrace on toggles)', () => {
    const exported = Object.keys(s.dataJson.Outputs).filter((k) => k.startsWith('ExportsOutput'));
    expect(exported).toHaveLength(6); // + the Cognito domain, which apply's login check on the host expects
  });
});

describe('data stack: no client secret anywhere', () => {
  it('never references the client secret (no ClientSecret attribute, no secret-reading custom resource)', () => {
    const text = JSON.stringify(s.dataJson);
    expect(text).not.toMatch(/ClientSecret/i);
    expect(text).not.toMatch(/DescribeUserPoolClient/);
    expect(resourcesOf(s.dataJson, 'Custom::DescribeCognitoUserPoolClient')).toHaveLength(0);
    expect(resourcesOf(s.dataJson, 'AWS::SecretsManager::Secret')).toHaveLength(0);
  });

  it('is env-agnostic when the config pins no region (synth needs no account)', () => {
    expect(JSON.stringify(s.dataJson)).toContain('"AWS::Region"');
    expect(JSON.stringify(s.dataJson)).not.toMatch(/\b\d{12}\b/);
  });
});
