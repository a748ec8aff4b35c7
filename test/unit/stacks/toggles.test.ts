/**
 * One test per shinykit.yaml toggle. Three syntheses shared by every test:
 * the bundled file (no domain: the Elastic IP, no SSH, x86_64, MFA required, Essentials,
 * Cognito's email), a "full" variant (domain + hosted zone, SSH CIDR, t4g, MFA
 * optional, Plus, pinned region, explicit domain prefix, SES email) and a
 * "minimal" one (domain without a zone, MFA off, Lite).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { asArray, configVariant, only, render, resourcesOf, synth, type Synthesized } from './synth.js';

let base: Synthesized;
let full: Synthesized;
let minimal: Synthesized;

beforeAll(() => {
  base = synth(configVariant());
  full = synth(
    configVariant((raw) => {
      raw.region = 'eu-west-1';
      raw.domain = 'apps.example.org';
      raw.hostedZone = 'example.org';
      raw.host = { instanceType: 't4g.small', volumeGiB: 50, sshCidr: '203.0.113.7/32' };
      raw.cognito.mfa = 'optional';
      raw.cognito.featurePlan = 'plus';
      raw.cognito.domainPrefix = 'acme-analytics';
      raw.cognito.email = { from: 'no-reply@example.org', fromName: 'Acme analytics', sesIdentity: 'example.org', configurationSet: 'shinykit-invites' };
    }),
  );
  minimal = synth(
    configVariant((raw) => {
      raw.domain = 'shiny.example.net';
      raw.cognito.mfa = 'off';
      raw.cognito.featurePlan = 'lite';
    }),
  );
});

const pool = (s: Synthesized) => only(s.dataJson, 'AWS::Cognito::UserPool').Properties;
const client = (s: Synthesized) => only(s.dataJson, 'AWS::Cognito::UserPoolClient').Properties;
const instance = (s: Synthesized) => only(s.hostJson, 'AWS::EC2::Instance').Properties;
const userData = (s: Synthesized) => render(instance(s).UserData['Fn::Base64']);
const ingress = (s: Synthesized) =>
  resourcesOf(s.hostJson, 'AWS::EC2::SecurityGroup').flatMap(([, sg]) => sg.Properties.SecurityGroupIngress ?? []);

describe('toggle: domain vs the Elastic IP', () => {
  it('without domain the site is the Elastic IP itself everywhere, with the shortlived profile (Let\'s Encrypt IP certificates)', () => {
    const eip = resourcesOf(base.dataJson, 'AWS::EC2::EIP')[0]![0];
    expect(render(base.dataJson.Outputs.SiteHostname.Value)).toBe(`<${eip}.PublicIp>`);
    expect(render(base.dataJson.Outputs.SiteUrl.Value)).toBe(`https://<${eip}.PublicIp>`);
    expect(client(base).CallbackURLs.map(render)).toEqual([`https://<${eip}.PublicIp>/login/oauth2/code/shinyproxy`]);
    expect(userData(base)).toMatch(/SHINYKIT_SITE_HOSTNAME='<import:[^>]*PublicIp\w*>'\n/);
    expect(userData(base)).toContain("SHINYKIT_TLS_PROFILE='shortlived'");
    expect(JSON.stringify(base.dataJson)).not.toContain('sslip.io');
  });

  it('with domain the site, callback, sign-out URL, LogoutUrl and user data use the domain', () => {
    expect(full.dataJson.Outputs.SiteHostname.Value).toBe('apps.example.org');
    expect(render(full.dataJson.Outputs.SiteUrl.Value)).toBe('https://apps.example.org');
    expect(client(full).CallbackURLs.map(render)).toEqual(['https://apps.example.org/login/oauth2/code/shinyproxy']);
    expect(client(full).LogoutURLs.map(render)).toEqual(['https://apps.example.org']);
    expect(render(full.dataJson.Outputs.LogoutUrl.Value)).toMatch(/&logout_uri=https:\/\/apps\.example\.org$/);
    expect(userData(full)).toContain('apps.example.org');
    expect(userData(full)).toContain("SHINYKIT_TLS_PROFILE=''");
    expect(JSON.stringify(full.dataJson)).not.toContain('sslip.io');
    expect(JSON.stringify(full.hostJson)).not.toContain('sslip.io');
  });
});

describe('toggle: hostedZone', () => {
  it('creates an A record for the domain in the named zone, pointing at the Elastic IP', () => {
    const eip = resourcesOf(full.dataJson, 'AWS::EC2::EIP')[0]![0];
    const record = only(full.dataJson, 'AWS::Route53::RecordSet').Properties;
    expect(record).toEqual({
      HostedZoneName: 'example.org.',
      Name: 'apps.example.org.',
      Type: 'A',
      TTL: '300',
      ResourceRecords: [{ 'Fn::GetAtt': [eip, 'PublicIp'] }],
    });
  });

  it('creates no record when domain is set without hostedZone (DNS is managed elsewhere)', () => {
    expect(resourcesOf(minimal.dataJson, 'AWS::Route53::RecordSet')).toHaveLength(0);
    expect(minimal.dataJson.Outputs.SiteHostname.Value).toBe('shiny.example.net');
  });
});

describe('toggle: host architecture', () => {
  it('a t4g instance type picks the arm64 Amazon Linux 2023 AMI', () => {
    expect(instance(full).InstanceType).toBe('t4g.small');
    expect(instance(full).ImageId).toBe('resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
  });

  it('host.volumeGiB sizes the root volume', () => {
    expect(instance(full).BlockDeviceMappings[0].Ebs.VolumeSize).toBe(50);
  });
});

describe('toggle: host.sshCidr', () => {
  it('opens 22 from that CIDR only, besides 443 and 80 from anywhere', () => {
    const rules = ingress(full).map((r) => `${r.IpProtocol}:${r.FromPort}-${r.ToPort}:${r.CidrIp}`);
    expect(rules.sort()).toEqual(['tcp:22-22:203.0.113.7/32', 'tcp:443-443:0.0.0.0/0', 'tcp:80-80:0.0.0.0/0']);
  });

  it('without it there is no port 22 rule at all', () => {
    expect(ingress(base).some((r) => r.FromPort <= 22 && r.ToPort >= 22)).toBe(false);
    expect(ingress(minimal).some((r) => r.FromPort <= 22 && r.ToPort >= 22)).toBe(false);
  });
});

describe('toggle: cognito.mfa', () => {
  it('off: MFA OFF and no second factor configured', () => {
    expect(pool(minimal).MfaConfiguration).toBe('OFF');
    expect(pool(minimal).EnabledMfas).toBeUndefined();
  });

  it('optional: TOTP enabled (so a later switch to required is accepted), not required', () => {
    expect(pool(full).MfaConfiguration).toBe('OPTIONAL');
    expect(pool(full).EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  it('required (the default): TOTP required for everyone, never SMS', () => {
    expect(pool(base).MfaConfiguration).toBe('ON');
    expect(pool(base).EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool(base).SmsConfiguration).toBeUndefined();
  });

  it('outputs the deployed mode as UserPoolMfa, for validate and plan to compare against', () => {
    expect(base.dataJson.Outputs.UserPoolMfa.Value).toBe('ON');
    expect(full.dataJson.Outputs.UserPoolMfa.Value).toBe('OPTIONAL');
    expect(minimal.dataJson.Outputs.UserPoolMfa.Value).toBe('OFF');
  });
});

describe('toggle: cognito.email', () => {
  it('absent: Cognito\'s own sender (no EmailConfiguration)', () => {
    expect(pool(base).EmailConfiguration).toBeUndefined();
  });

  it('set: SES (DEVELOPER) from the address, through the verified domain identity in the pool\'s region, with the configuration set', () => {
    expect(pool(full).EmailConfiguration).toEqual({
      EmailSendingAccount: 'DEVELOPER',
      From: 'Acme analytics <no-reply@example.org>',
      SourceArn: { 'Fn::Join': ['', ['arn:aws:ses:eu-west-1:', { Ref: 'AWS::AccountId' }, ':identity/example.org']] },
      ConfigurationSet: 'shinykit-invites',
    });
  });
});

describe('the app client, whatever the toggles', () => {
  it('allows only the refresh-token flow: no SRP, password or custom auth', () => {
    for (const s of [base, full, minimal]) expect(client(s).ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('may write only email and name without identity providers (the kit writes through the Admin APIs)', () => {
    for (const s of [base, full, minimal]) expect([...client(s).WriteAttributes].sort()).toEqual(['email', 'name']);
  });

  it('never grants the aws.cognito.signin.user.admin scope', () => {
    for (const s of [base, full, minimal]) expect(client(s).AllowedOAuthScopes).not.toContain('aws.cognito.signin.user.admin');
  });
});

describe('toggle: cognito.featurePlan', () => {
  it('lite: Lite tier, no threat protection', () => {
    expect(pool(minimal).UserPoolTier).toBe('LITE');
    expect(pool(minimal).UserPoolAddOns).toBeUndefined();
  });

  it('essentials: Essentials tier, no threat protection', () => {
    expect(pool(base).UserPoolTier).toBe('ESSENTIALS');
    expect(pool(base).UserPoolAddOns).toBeUndefined();
  });

  it('plus: Plus tier with threat protection enforced', () => {
    expect(pool(full).UserPoolTier).toBe('PLUS');
    expect(pool(full).UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
  });
});

describe('toggle: cognito.domainPrefix and region', () => {
  it('an explicit prefix names the Cognito domain and CognitoDomainUrl', () => {
    expect(only(full.dataJson, 'AWS::Cognito::UserPoolDomain').Properties.Domain).toBe('acme-analytics');
    const domain = resourcesOf(full.dataJson, 'AWS::Cognito::UserPoolDomain')[0]![0];
    expect(render(full.dataJson.Outputs.CognitoDomainUrl.Value)).toBe(`https://<${domain}>.auth.eu-west-1.amazoncognito.com`);
  });

  it('a pinned region is written into the outputs, an unpinned one is left to deploy time', () => {
    expect(render(full.dataJson.Outputs.Region.Value)).toBe('eu-west-1');
    expect(render(full.dataJson.Outputs.JwksUrl.Value)).toMatch(/^https:\/\/cognito-idp\.eu-west-1\.amazonaws\.com\//);
    expect(render(base.dataJson.Outputs.Region.Value)).toBe('<AWS::Region>');
  });
});

describe('cross-stack references do not depend on toggles', () => {
  it('the data stack exports the same names in every variant, so toggling never strands an import', () => {
    const exports = (s: Synthesized) =>
      Object.values(s.dataJson.Outputs as Record<string, any>)
        .map((o) => o.Export?.Name)
        .filter(Boolean)
        .sort();
    expect(exports(full)).toEqual(exports(base));
    expect(exports(minimal)).toEqual(exports(base));
  });

  it('the host imports only exported names', () => {
    for (const s of [base, full, minimal]) {
      const exported = new Set(Object.values(s.dataJson.Outputs as Record<string, any>).map((o) => o.Export?.Name).filter(Boolean));
      const imports = [...JSON.stringify(s.hostJson).matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]);
      expect(imports.length).toBeGreaterThan(0);
      for (const name of imports) expect(exported.has(name), name).toBe(true);
    }
  });

  it('repository permissions follow the apps without importing anything from the data stack', () => {
    const pull = full.hostJson.Resources;
    const statements = Object.values(pull as Record<string, any>)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
    const ecr = statements.find((x) => x.Sid === 'EcrPull');
    expect(asArray(ecr.Resource).map(render).join(' ')).not.toContain('import:');
  });
});
