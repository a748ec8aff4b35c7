/**
 * The data stack for the bundled shinykit.yaml: Elastic IP, ECR repositories,
 * Cognito user pool, groups, domain and client, and the output contract.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { OutputKeys, repositoryOutputKey, requiredOutputKeys, ExtraOutputKeys } from '../../../lib/outputs.js';
import { configVariant, contractOutputKeys, only, render, resourcesOf, synth, type Synthesized } from './synth.js';

let s: Synthesized;
beforeAll(() => {
  s = synth(configVariant());
});

describe('data stack: Elastic IP', () => {
  it('creates one VPC Elastic IP retained when the stack is deleted', () => {
    const eip = only(s.dataJson, 'AWS::EC2::EIP');
    expect(eip.Properties.Domain).toBe('vpc');
    expect(eip.DeletionPolicy).toBe('Retain');
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

  it('scans on push, has immutable tags, encryption, a keep-most-recent lifecycle rule and is retained', () => {
    for (const [, repo] of resourcesOf(s.dataJson, 'AWS::ECR::Repository')) {
      expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
      expect(repo.Properties.ImageTagMutability).toBe('IMMUTABLE');
      expect(repo.Properties.EncryptionConfiguration).toEqual({ EncryptionType: 'AES256' });
      expect(repo.DeletionPolicy).toBe('Retain');
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

  it('has deletion protection and is retained on stack deletion', () => {
    const pool = only(s.dataJson, 'AWS::Cognito::UserPool');
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
  });

  it('defaults to optional TOTP MFA (no SMS) on the Essentials plan without threat protection', () => {
    const pool = only(s.dataJson, 'AWS::Cognito::UserPool');
    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
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

  it('creates the Cognito domain with the derived prefix <name>-login', () => {
    s.data.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'analytics-login' });
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
    expect(contractOutputKeys(s.dataJson).sort()).toEqual(expected.sort());
    expect(expected).toContain(repositoryOutputKey('shiny-demo'));
    expect(expected).toContain('RepositoryDashDemo');
    for (const k of Object.values(ExtraOutputKeys)) expect(contractOutputKeys(s.dataJson)).not.toContain(k);
  });

  it('builds CognitoDomainUrl, JwksUrl and LogoutUrl from the prefix, region, pool and client', () => {
    const out = s.dataJson.Outputs;
    const pool = resourcesOf(s.dataJson, 'AWS::Cognito::UserPool')[0]![0];
    const client = resourcesOf(s.dataJson, 'AWS::Cognito::UserPoolClient')[0]![0];
    const eip = resourcesOf(s.dataJson, 'AWS::EC2::EIP')[0]![0];
    expect(render(out.CognitoDomainUrl.Value)).toBe('https://analytics-login.auth.<AWS::Region>.amazoncognito.com');
    expect(render(out.JwksUrl.Value)).toBe(`https://cognito-idp.<AWS::Region>.amazonaws.com/<${pool}>/.well-known/jwks.json`);
    expect(render(out.LogoutUrl.Value)).toBe(
      `https://analytics-login.auth.<AWS::Region>.amazoncognito.com/logout?client_id=<${client}>&logout_uri=https://<${eip}.PublicIp>`,
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
    expect(exported).toHaveLength(5);
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
