/**
 * shinykit.yaml: the one file that describes a deployment.
 *
 * The CDK app (bin/) and the CLI (cli/) both load it through `loadConfig`, so a
 * value is typed once and checked once. The schema is strict: an unknown key is
 * an error, because a misspelt optional key silently ignored is the most common
 * way a hand-written config goes wrong.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { LineCounter, parseDocument, isMap, isSeq, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { EC2_INSTANCE_FAMILIES, EC2_INSTANCE_TYPES_SOURCE } from './data/ec2-instance-types.js';
import { ConfigError, type ConfigProblem } from './errors.js';

/** A DNS label: what stack prefixes, app ids and ECR path parts must be. */
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_LABEL_HINT = 'lowercase letters, digits and hyphens, 1-63 characters, no leading or trailing hyphen';
/** Cognito group names become ShinyProxy roles and YAML list items: keep them plain. */
const GROUP_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Docker's memory syntax, as ShinyProxy passes it through: 512m, 1g, 1.5g. */
const MEMORY = /^\d+(\.\d+)?[kmg]$/i;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const SEMVER = /^\d+\.\d+\.\d+$/;

export const DEFAULT_PORTS = { shiny: 3838, dash: 8050 } as const;
/**
 * 3.2.4: a release public provisioning scripts download (the GitHub release asset and
 * shinyproxy.io/downloads); no public source names a 3.2.3 jar (checked 2026-12-02).
 */
export const DEFAULT_SHINYPROXY_VERSION = '3.2.4';
/**
 * The oldest ShinyProxy the rendered application.yml works with: it sets
 * `proxy.openid.enforce-https-redirect-uri` (ShinyProxy 3.2, DESIGN.md); older
 * releases ignore it, build an http:// redirect URI behind nginx, and Cognito
 * refuses the login with redirect_mismatch.
 */
export const MIN_SHINYPROXY_VERSION = '3.2.0';
/** Memory limit an app container gets when the config names none (Docker syntax). */
export const DEFAULT_APP_MEMORY = '512m';
/**
 * SSH from a range wider than this prefix (a /15 is 131,072 addresses) is "open
 * to the internet" for our purposes: it needs host.allowSshFromAnywhere.
 */
export const WIDEST_SSH_PREFIX = 16;
/** Cognito refuses domain prefixes containing these words. */
const RESERVED_PREFIX_WORDS = ['aws', 'amazon', 'cognito'];
/** Fargate's task CPU sizes (the keys of `FARGATE_SIZES`). */
const FARGATE_CPU_UNITS: readonly number[] = [256, 512, 1024, 2048, 4096, 8192, 16384];
const FARGATE_CPU_HINT = `expected Fargate CPU units, one of: ${FARGATE_CPU_UNITS.join(', ')} (1024 = 1 vCPU)`;
/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const port = z
  .number({ error: 'expected a number between 1 and 65535' })
  .int({ error: 'expected a whole number between 1 and 65535' })
  .min(1, { error: 'expected a number between 1 and 65535' })
  .max(65535, { error: 'expected a number between 1 and 65535' });

const dnsLabel = (what: string) =>
  z.string({ error: `expected ${what} (${DNS_LABEL_HINT})` }).regex(DNS_LABEL, {
    error: `expected ${what} (${DNS_LABEL_HINT})`,
  });

const hostname = z
  .string({ error: 'expected a DNS name such as apps.example.org' })
  .regex(HOSTNAME, { error: 'expected a lowercase DNS name such as apps.example.org' });

const groupName = z
  .string({ error: 'expected a group name' })
  .regex(GROUP_NAME, { error: 'expected a group name of letters, digits, "_", "." or "-" (1-128 characters)' });

const cidr = z.string({ error: 'expected an IPv4 CIDR such as 203.0.113.7/32' }).refine(isIpv4Cidr, {
  error: 'expected an IPv4 CIDR such as 203.0.113.7/32 (address/prefix, prefix 0-32)',
});

const GroupSchema = z.strictObject({
  description: z.string().max(2048, { error: 'expected at most 2048 characters' }).optional(),
  precedence: z
    .number({ error: 'expected a whole number >= 0' })
    .int({ error: 'expected a whole number >= 0' })
    .min(0, { error: 'expected a whole number >= 0' })
    .optional(),
});

/**
 * Fargate task size for one app (used only with `backend: ecs`): CPU units
 * (1024 = 1 vCPU) and memory in MiB, as ECS RegisterTaskDefinition reads them.
 * The pair is checked against `FARGATE_SIZES` in the cross-field rules.
 */
const FargateSchema = z.strictObject({
  cpu: z
    .number({ error: FARGATE_CPU_HINT })
    .refine((v) => FARGATE_CPU_UNITS.includes(v), { error: FARGATE_CPU_HINT }),
  memory: z
    .number({ error: 'expected the task memory in MiB, such as 2048' })
    .int({ error: 'expected a whole number of MiB, such as 2048' })
    .positive({ error: 'expected the task memory in MiB, such as 2048' }),
});

const AppSchema = z.strictObject({
  id: dnsLabel('an app id'),
  kind: z.enum(['shiny', 'dash', 'custom'], { error: 'expected one of: shiny, dash, custom' }).default('shiny'),
  displayName: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Docker build context, relative to shinykit.yaml. */
  context: z.string({ error: 'expected the path of the docker build context' }).min(1),
  /** Dockerfile, relative to shinykit.yaml; defaults to <context>/Dockerfile. */
  dockerfile: z.string().min(1).optional(),
  buildArgs: z.record(z.string(), z.string({ error: 'expected a string value' })).optional(),
  port: port.optional(),
  groups: z.array(groupName).min(1, { error: 'expected at least one group that may open this app' }),
  memory: z.string().regex(MEMORY, { error: 'expected a Docker memory size such as 512m or 2g' }).optional(),
  cpus: z
    .number({ error: 'expected a number of CPUs such as 0.5 or 2' })
    .positive({ error: 'expected a number of CPUs greater than 0' })
    .optional(),
  seats: z
    .number({ error: 'expected a whole number >= 0' })
    .int({ error: 'expected a whole number >= 0' })
    .min(0, { error: 'expected a whole number >= 0' })
    .optional(),
  /** Extra environment for the app container (no secrets: it lands in application.yml). */
  env: z.record(z.string(), z.string({ error: 'expected a string value' })).optional(),
  /** Fargate task size with `backend: ecs`; derived from cpus/memory (or 512/1024) when absent. */
  fargate: FargateSchema.optional(),
});

/** Let's Encrypt's ACME profiles (https://letsencrypt.org/docs/profiles/). */
export const ACME_PROFILES = ['classic', 'tlsserver', 'shortlived'] as const;

const TlsSchema = z.strictObject({
  /**
   * The ACME account's contact address at Let's Encrypt. Let's Encrypt stopped sending expiry
   * emails on 4 June 2025, so nothing arrives there about expiry: `shinykit doctor` reports it.
   */
  email: z.string({ error: 'expected an email address' }).regex(EMAIL, { error: 'expected an email address' }),
  /**
   * ACME profile with `domain` (default: the CA's default, 90-day certificates). Without `domain`
   * the site is the Elastic IP, whose certificates exist only under `shortlived` (160 hours).
   */
  profile: z.enum(ACME_PROFILES, { error: `expected one of: ${ACME_PROFILES.join(', ')}` }).optional(),
  /**
   * Without `domain`: serve https://<elastic-ip>.sslip.io instead of https://<elastic-ip>. Not
   * recommended: every sslip.io user shares one Let's Encrypt quota, which often runs out.
   */
  sslip: z.boolean({ error: 'expected true or false' }).default(false),
});

const HostSchema = z.strictObject({
  instanceType: z
    .string({ error: 'expected an EC2 instance type such as t3.small or t4g.small' })
    .regex(INSTANCE_TYPE, { error: 'expected an EC2 instance type such as t3.small or t4g.small' })
    .superRefine((v, ctx) => {
      const problem = INSTANCE_TYPE.test(v) ? instanceTypeProblem(v) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('t3.small'),
  volumeGiB: z
    .number({ error: 'expected a size in GiB between 8 and 16384' })
    .int({ error: 'expected a whole number of GiB' })
    .min(8, { error: 'expected at least 8 GiB (the Amazon Linux 2023 image needs it)' })
    .max(16384, { error: 'expected at most 16384 GiB' })
    .default(30),
  sshCidr: cidr.optional(),
  /**
   * Acknowledges an sshCidr wider than /16 (0.0.0.0/0 is the whole internet).
   * Without it such a range is refused: use SSM Session Manager or your own address.
   */
  allowSshFromAnywhere: z.boolean({ error: 'expected true or false' }).default(false),
});

// ---- federated identity providers (cognito.identityProviders) ----

/** Secrets Manager secret names: 1-512 of these characters (an ARN is not a name). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/**
 * Our own rule for OIDC/SAML provider names (Cognito allows more): it prefixes the
 * user names of the provider's users (`<name>_<subject>`) and goes into the login
 * URL, so no underscores, spaces or punctuation beyond "-" and ".".
 */
const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$/;
/** Names Cognito reserves for its own providers (compared case-insensitively). */
const RESERVED_PROVIDER_NAMES = ['cognito', 'google', 'facebook', 'loginwithamazon', 'signinwithapple'];
/** The SAML attribute most IdPs (Entra ID, AD FS) send the email address in. */
export const SAML_EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
/** Cognito's name for the Google provider: fixed, and what `identity_provider=` takes. */
export const GOOGLE_PROVIDER_NAME = 'Google';
/** The user pool attribute a provider's group claim is mapped into (read by the pre-token trigger). */
export const GROUPS_ATTRIBUTE = 'custom:groups';

const secretName = z
  .string({ error: 'expected the NAME of a Secrets Manager secret holding the client secret (never the secret itself)' })
  .regex(SECRET_NAME, {
    error: 'expected a Secrets Manager secret name (1-512 letters, digits or /_+=.@-), not an ARN and never the secret itself',
  });

const providerName = z
  .string({ error: 'expected a provider name' })
  .regex(PROVIDER_NAME, { error: 'expected a provider name of letters, digits, "." or "-" (1-32 characters, starting with a letter or digit)' })
  .refine((v) => !RESERVED_PROVIDER_NAMES.includes(v.toLowerCase()), {
    error: 'this name is reserved by Cognito (COGNITO, Google, Facebook, LoginWithAmazon, SignInWithApple); pick another, such as "EntraID"',
  });

const httpsUrl = (what: string) =>
  z.string({ error: `expected ${what} (an https:// URL)` }).refine(isPlainHttpsUrl, {
    error: `expected ${what}: an https:// URL without user info, query or fragment`,
  });

const claimName = z.string({ error: 'expected a claim or attribute name' }).min(1, { error: 'expected a claim or attribute name' });

/** Which provider claim fills each user pool attribute. */
const AttributeMappingSchema = z.strictObject({
  /** Claim holding the email address (ShinyProxy's username). Default: `email` (SAML: the emailaddress claim URI). */
  email: claimName.optional(),
  /** Claim holding the display name. Default: `name` for OIDC; none for SAML. */
  name: claimName.optional(),
  /** Claim holding the user's groups, mapped into custom:groups for cognito.groupMapping. */
  groups: claimName.optional(),
  /** OIDC only: claim saying the provider verified the email. Default: `email_verified`. */
  emailVerified: claimName.optional(),
});

/**
 * `trustEmail: true` says every email this provider sends is one it verified (a
 * corporate directory that issues the addresses itself). Without it, only an
 * `email_verified` of true counts for cognito.federatedEmailDomains.
 */
const trustEmail = z.boolean({ error: 'expected true or false' }).default(false);

const GoogleProviderSchema = z.strictObject({
  type: z.literal('google'),
  clientId: z.string({ error: 'expected the OAuth client id from the Google Cloud console' }).min(1),
  clientSecretName: secretName,
});

const OidcProviderSchema = z.strictObject({
  type: z.literal('oidc'),
  name: providerName,
  /** The issuer (`iss`); Cognito reads `<issuerUrl>/.well-known/openid-configuration`. */
  issuerUrl: httpsUrl('the issuer URL, such as https://login.microsoftonline.com/<tenant>/v2.0'),
  clientId: z.string({ error: 'expected the client (application) id registered with the provider' }).min(1),
  clientSecretName: secretName,
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, { error: 'expected an OAuth scope (no spaces or quotes)' }))
    .refine((s) => s.includes('openid'), { error: 'expected the scopes to include "openid"' })
    .default(['openid', 'email', 'profile']),
  attributeMapping: AttributeMappingSchema.optional(),
  trustEmail,
});

const SamlProviderSchema = z.strictObject({
  type: z.literal('saml'),
  name: providerName,
  metadataUrl: httpsUrl('the IdP metadata URL').optional(),
  /** Metadata XML file, relative to shinykit.yaml; read when the stacks are synthesized. */
  metadataFile: z.string().min(1).optional(),
  attributeMapping: AttributeMappingSchema.optional(),
  trustEmail,
});

const IdentityProviderSchema = z.discriminatedUnion('type', [GoogleProviderSchema, OidcProviderSchema, SamlProviderSchema], {
  error: (iss) =>
    iss.code === 'invalid_union'
      ? 'expected type: one of google, oidc, saml'
      : iss.code === 'invalid_type'
        ? 'expected a provider: { type: google | oidc | saml, ... }'
        : undefined,
});

export type IdentityProviderConfig = z.output<typeof IdentityProviderSchema>;

/** SES regions Cognito may send through for a pool in another region (Email settings for Amazon Cognito user pools). */
export const SES_ALTERNATE_REGIONS: readonly string[] = ['us-east-1', 'us-west-2', 'eu-west-1'];
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** cognito.email: Amazon SES as the pool's email sender (EmailSendingAccount DEVELOPER). */
const EmailSchema = z.strictObject({
  /** The sender address; it, or its domain, must be a verified SES identity. */
  from: z.string({ error: 'expected the sender address, such as no-reply@example.org' }).regex(EMAIL, { error: 'expected an email address such as no-reply@example.org' }),
  /** Display name shown with the address ("Data team"). */
  fromName: z.string().min(1).max(100).optional(),
  replyTo: z.string().regex(EMAIL, { error: 'expected an email address' }).optional(),
  /**
   * The verified SES identity: the from address itself (default) or its domain
   * (verify the domain once and send from any address in it).
   */
  sesIdentity: z.string().min(1).optional(),
  /** Region of the SES identity. Default: the pool's region. */
  sesRegion: z.string().regex(REGION, { error: 'expected an AWS region such as eu-west-1' }).optional(),
  /** An SES configuration set applied to every message (event publishing, dedicated IPs). */
  configurationSet: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, { error: 'expected an SES configuration set name (1-64 letters, digits, "_" or "-")' })
    .optional(),
});

/** One provider group value → one or more kit groups. */
const groupMappingTarget = z
  .union([groupName, z.array(groupName).min(1, { error: 'expected at least one group' })], {
    error: 'expected a group name or a list of group names',
  })
  .transform((v) => (Array.isArray(v) ? v : [v]));

const CognitoSchema = z.strictObject({
  domainPrefix: z
    .string()
    .regex(DNS_LABEL, { error: `expected a Cognito domain prefix (${DNS_LABEL_HINT})` })
    .refine((v) => !RESERVED_PREFIX_WORDS.some((w) => v.includes(w)), {
      error: `must not contain ${RESERVED_PREFIX_WORDS.join(', ')} (Cognito reserves them)`,
    })
    .optional(),
  /**
   * required (default): every local user sets up an authenticator app (TOTP) on the
   * hosted login page at sign-in. optional: nobody is asked to enrol (see docs/identity.md).
   */
  mfa: z.enum(['off', 'optional', 'required'], { error: 'expected one of: off, optional, required' }).default('required'),
  /** Send the pool's email (invitations, password resets) through Amazon SES instead of Cognito's capped sender. */
  email: EmailSchema.optional(),
  featurePlan: z
    .enum(['lite', 'essentials', 'plus'], { error: 'expected one of: lite, essentials, plus' })
    .default('essentials'),
  groups: z.record(groupName, GroupSchema, { error: 'expected a map of group name to settings' }),
  /** Sign-in with Google, an OIDC or a SAML IdP, besides (or instead of) local users. */
  identityProviders: z.array(IdentityProviderSchema, { error: 'expected a list of identity providers' }).default([]),
  /** Email + password users created with `shinykit users add`. false: federated sign-in only. */
  localUsers: z.boolean({ error: 'expected true or false' }).default(true),
  /** Provider group value (an Entra ID group id, a SAML group name, ...) → kit groups. */
  groupMapping: z
    .record(z.string().min(1, { error: 'expected a provider group value' }), groupMappingTarget, {
      error: 'expected a map of provider group value to kit group(s)',
    })
    .default({}),
  /** Groups every federated user gets at sign-in (in the token, not as stored memberships). */
  defaultGroups: z.array(groupName, { error: 'expected a list of group names' }).default([]),
  /**
   * Only federated users whose email is in one of these domains get mapped or
   * default groups. Anyone with an account at the provider can sign in (with
   * Google: anyone at all); without groups they open no app.
   */
  federatedEmailDomains: z.array(hostname, { error: 'expected a list of email domains such as example.org' }).default([]),
});

const ShinyProxySchema = z.strictObject({
  version: z
    .string({
      // YAML reads an unquoted 3.2 as the number 3.2; say so rather than "expected a string".
      error: (iss) =>
        typeof iss.input === 'number'
          ? `YAML reads ${iss.input} as a number: quote the version, such as "${versionFromNumber(iss.input)}"`
          : 'expected a version such as "3.2.4"',
    })
    .regex(SEMVER, { error: 'expected a version such as 3.2.4 (major.minor.patch)' })
    .refine((v) => !SEMVER.test(v) || compareVersions(v, MIN_SHINYPROXY_VERSION) >= 0, {
      error: `shinykit needs ShinyProxy ${MIN_SHINYPROXY_VERSION} or later (older releases build an http:// login redirect behind nginx and Cognito refuses it with redirect_mismatch); use ${DEFAULT_SHINYPROXY_VERSION}`,
    })
    .default(DEFAULT_SHINYPROXY_VERSION),
  /** SHA-256 of the ShinyProxy jar for `version`; the host refuses a download that does not match. */
  sha256: z
    .string({ error: 'expected the 64 hex digits of a SHA-256 checksum (the output of sha256sum)' })
    .regex(/^[A-Fa-f0-9]{64}$/, { error: 'expected the 64 hex digits of a SHA-256 checksum (the output of sha256sum)' })
    .transform((v) => v.toLowerCase())
    .optional(),
  /**
   * Install a jar no SHA-256 is known for (neither sha256 here nor the kit's table).
   * Off by default: the host then refuses to start ShinyProxy rather than run an unverified jar.
   */
  allowUnverifiedDownload: z.boolean({ error: 'expected true or false' }).default(false),
  title: z.string().min(1).default('Shiny apps'),
  adminGroups: z.array(groupName).default([]),
});

/** Settings of `backend: ecs` (apps run as ECS Fargate tasks; see docs/ecs.md). */
const EcsSchema = z.strictObject({
  /**
   * How Fargate tasks in the private subnets reach ECR, S3 and CloudWatch Logs:
   * `nat` (one NAT gateway; apps can also reach the internet, as on the host) or
   * `endpoints` (VPC interface endpoints for ecr.api, ecr.dkr and logs plus the S3
   * gateway endpoint; apps get no internet access).
   */
  egress: z.enum(['nat', 'endpoints'], { error: 'expected one of: nat, endpoints' }).default('nat'),
  /** CPU architecture of the tasks (and so of the images push builds); defaults to the host's. */
  architecture: z.enum(['x86_64', 'arm64'], { error: 'expected one of: x86_64, arm64' }).optional(),
  /** Days CloudWatch keeps the app containers' logs. */
  logRetentionDays: z
    .number({ error: 'expected a number of days such as 30' })
    .refine((v) => LOG_RETENTION_DAYS.includes(v), {
      error: `expected a retention CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
});

const ConfigObject = z.strictObject({
  name: dnsLabel('a project name').refine((v) => v.length <= 40, {
    error: 'expected at most 40 characters (it prefixes stack and repository names)',
  }),
  /** Pins the stacks to a region; otherwise the deploying profile's region is used. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'expected an AWS region such as eu-west-1' })
    .optional(),
  domain: hostname.optional(),
  hostedZone: hostname.optional(),
  tls: TlsSchema,
  host: HostSchema.prefault({}),
  cognito: CognitoSchema,
  shinyproxy: ShinyProxySchema.prefault({}),
  apps: z.array(AppSchema).min(1, { error: 'expected at least one app' }),
  /** Where ShinyProxy starts app containers: Docker on the host, or ECS Fargate tasks. */
  backend: z.enum(['docker', 'ecs'], { error: 'expected one of: docker, ecs' }).default('docker'),
  ecs: EcsSchema.optional(),
});

export const ConfigSchema = ConfigObject
  .superRefine((cfg, ctx) => {
    const checkGroup = groupChecker(cfg.cognito, ctx);
    if (Object.keys(cfg.cognito.groups).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['cognito', 'groups'], message: 'expected at least one group' });
    }
    const seen = new Map<string, number>();
    cfg.apps.forEach((app, i) => {
      const first = seen.get(app.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'id'],
          message: `duplicate app id "${app.id}" (also apps[${first}].id); app ids must be unique`,
        });
      } else seen.set(app.id, i);
      app.groups.forEach((g, j) => checkGroup(['apps', i, 'groups', j], g));
      if (app.kind === 'custom' && app.port === undefined) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'port'], message: 'expected a port: apps of kind "custom" have no default' });
      }
      if (repositoryName(cfg, app).length > 256) {
        ctx.addIssue({ code: 'custom', path: ['apps', i, 'id'], message: 'repository name <name>/<id> exceeds 256 characters' });
      }
    });
    cfg.shinyproxy.adminGroups.forEach((g, j) => checkGroup(['shinyproxy', 'adminGroups', j], g));
    if (cfg.hostedZone && !cfg.domain) {
      ctx.addIssue({ code: 'custom', path: ['hostedZone'], message: 'hostedZone needs domain: set domain to a name inside the zone' });
    }
    if (cfg.hostedZone && cfg.domain && cfg.domain !== cfg.hostedZone && !cfg.domain.endsWith(`.${cfg.hostedZone}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['domain'],
        message: `"${cfg.domain}" is not inside hostedZone "${cfg.hostedZone}"; use a name ending in .${cfg.hostedZone}`,
      });
    }
    const ssh = cfg.host.sshCidr;
    const sshPrefix = ssh === undefined || !isIpv4Cidr(ssh) ? undefined : Number(ssh.split('/')[1]);
    if (sshPrefix !== undefined && sshPrefix < WIDEST_SSH_PREFIX && !cfg.host.allowSshFromAnywhere) {
      ctx.addIssue({
        code: 'custom',
        path: ['host', 'sshCidr'],
        message:
          `${cfg.host.sshCidr} opens SSH (port 22) to ${sshPrefix === 0 ? 'the whole internet' : `${(2 ** (32 - sshPrefix)).toLocaleString('en-US')} addresses`}; ` +
          'use your own address (such as 203.0.113.7/32), or remove sshCidr and use SSM Session Manager; ' +
          'if you really mean it, also set host.allowSshFromAnywhere: true',
      });
    }
    if (cfg.domain && cfg.tls.sslip) {
      ctx.addIssue({ code: 'custom', path: ['tls', 'sslip'], message: 'tls.sslip applies only without domain: remove it, the site is https://<domain>' });
    }
    if (!cfg.domain && !cfg.tls.sslip && cfg.tls.profile && cfg.tls.profile !== 'shortlived') {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'profile'],
        message: `without domain the site is the Elastic IP, and Let's Encrypt issues IP certificates only under the shortlived profile: remove tls.profile, or set domain`,
      });
    }
    checkEcs(cfg, ctx);
    if (cfg.cognito.domainPrefix === undefined && RESERVED_PREFIX_WORDS.some((w) => cfg.name.includes(w))) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'domainPrefix'],
        message: `the derived prefix "${cognitoDomainPrefix(cfg)}" contains a word Cognito reserves; set cognito.domainPrefix`,
      });
    }
  })
  .superRefine(checkIdentity);

/** The config as written (before defaults). */
export type ConfigInput = z.input<typeof ConfigSchema>;
/** The config with every default applied: what the rest of the kit works with. */
export type Config = z.output<typeof ConfigSchema>;
export type AppConfig = Config['apps'][number];
export type AppKind = AppConfig['kind'];

// ConfigError and its problems live in ./errors.ts (which the CLI's error mapper loads
// without this module's zod and yaml); re-exported here for the config's users.
export { ConfigError, formatProblem, type ConfigProblem } from './errors.js';

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Parses and validates config text; `file` names it in messages. Throws ConfigError. */
export function parseConfig(text: string, file = 'shinykit.yaml'): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  // reportInput: zod 4 leaves `input` off issues otherwise, and a wrong-typed value
  // would then be reported as missing ("is required").
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;

  const lineOf = configLocator(doc, lineCounter);

  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({
          path: formatPath([...path, key]),
          message: `unknown key "${key}"${allowedKeysHint(path)}${secretKeyHint(key)}`,
          line: lineOf([...path, key]),
        });
      }
      continue;
    }
    const message =
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    problems.push({ path: formatPath(path), message, line: lineOf(path) });
  }
  throw new ConfigError(file, problems);
}

/**
 * Finds the line of a config path (`['apps', 1, 'context']`) in parsed YAML; a
 * path that does not exist points at its deepest existing parent.
 */
export function configLocator(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter): (path: readonly PropertyKey[]) => number | undefined {
  return (path) => {
    let node: unknown = doc.contents;
    let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
    for (const part of path) {
      if (isMap(node)) {
        const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === part);
        if (!pair) break;
        offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof part === 'number') {
        const item = node.items[part] as YamlNode | undefined;
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else break;
    }
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
}

/** The line of each path in config text (for checks made after parsing, such as files on disk). */
export function lineFinder(text: string): (path: readonly PropertyKey[]) => number | undefined {
  const lineCounter = new LineCounter();
  return configLocator(parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter);
}

/** Reads and validates a config file. Throws ConfigError (also for a missing file). */
export function loadConfig(file = 'shinykit.yaml'): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found; create one with `shinykit init` or pass --config <file>'
        : `cannot read the file (${code ?? String(err)})`;
    throw new ConfigError(file, [{ path: '', message }]);
  }
  return parseConfig(text, file);
}

/** A secret typed into the config gets told where secrets go instead. */
function secretKeyHint(key: string): string {
  return /secret/i.test(key) && key !== 'clientSecretName'
    ? '; never put a secret in shinykit.yaml: store it in AWS Secrets Manager and give its name as clientSecretName'
    : '';
}

/** The keys allowed where an unknown key was found, to name them in the message. */
function allowedKeysHint(path: readonly PropertyKey[]): string {
  const key = path.map((p) => (typeof p === 'number' ? '[]' : String(p))).join('.');
  const byPath: Record<string, { shape: object }> = {
    '': ConfigObject,
    tls: TlsSchema,
    host: HostSchema,
    cognito: CognitoSchema,
    'cognito.email': EmailSchema,
    shinyproxy: ShinyProxySchema,
    'apps.[]': AppSchema,
    ecs: EcsSchema,
    'apps.[].fargate': FargateSchema,
  };
  const schema = byPath[key] ?? (/^cognito\.groups\.[^.]+$/.test(key) ? GroupSchema : undefined);
  return schema ? ` (allowed: ${Object.keys(schema.shape).join(', ')})` : '';
}

// ---- derived values: small pure helpers every consumer shares ----

/** The port the app listens on inside its container. */
export function appPort(app: AppConfig): number {
  if (app.port !== undefined) return app.port;
  if (app.kind === 'custom') throw new Error(`app ${app.id}: custom apps need a port`);
  return DEFAULT_PORTS[app.kind];
}

/** Graviton instance families (t4g, m7g, c6gn, ...) run arm64. */
export function hostArchitecture(cfg: Config): 'arm64' | 'x86_64' {
  const family = cfg.host.instanceType.split('.')[0] ?? '';
  return /^[a-z]+\d+g/.test(family) ? 'arm64' : 'x86_64';
}

/**
 * The architecture app containers run on: the host's, or with `backend: ecs`
 * the Fargate tasks' (`ecs.architecture`, defaulting to the host's).
 */
export function appArchitecture(cfg: Config): 'arm64' | 'x86_64' {
  return (cfg.backend === 'ecs' ? cfg.ecs?.architecture : undefined) ?? hostArchitecture(cfg);
}

/** The platform images are built for, from the architecture the apps run on. */
export function targetPlatform(cfg: Config): 'linux/arm64' | 'linux/amd64' {
  return appArchitecture(cfg) === 'arm64' ? 'linux/arm64' : 'linux/amd64';
}

/**
 * Stands for the part of a derived domain prefix that only exists once the data
 * stack does (see `cognitoDomainPrefix`). Not a valid DNS label on purpose: it can
 * never be mistaken for, or deployed as, a real prefix.
 */
export const DOMAIN_PREFIX_STACK_ID_PLACEHOLDER = '<data-stack-id>';

/**
 * The Cognito hosted-UI domain prefix (`https://<prefix>.auth.<region>.amazoncognito.com`).
 *
 * - `cognito.domainPrefix` set: exactly that value.
 * - otherwise: `<name>-login-<s>`, where `<s>` is the first group (8 lowercase hex
 *   digits) of the UUID that ends the data stack's StackId
 *   (`arn:aws:cloudformation:<region>:<account>:stack/<name>-data/<s>-xxxx-xxxx-xxxx-xxxxxxxxxxxx`);
 *   `stackIdSuffix` extracts it, and the data stack computes the same value in
 *   CloudFormation (`Fn::Select`/`Fn::Split` over `AWS::StackId`).
 *
 * Why the stack id: prefix domains are unique per region across all AWS accounts, so
 * `<name>-login` alone is likely taken. The StackId is known to CloudFormation without
 * any lookup (synth stays offline and account-agnostic), never changes while the stack
 * exists (updates keep the prefix), and is random per stack (its first UUID group is the
 * low 32 bits of a 100 ns timestamp), so two kits named alike practically never meet;
 * a failed first create retries under a new StackId. Unlike the account id it does not
 * publish the account on every sign-in page, and no one can squat the prefix in advance.
 * The price: before the first deploy the prefix is not known; pass the deployed
 * StackId (DescribeStacks) to get it, and without one the result names the unknown
 * part with `DOMAIN_PREFIX_STACK_ID_PLACEHOLDER`. The deployed value is always in the
 * data stack's `CognitoDomainUrl` output, which the CLI reads.
 * It contains no reserved word: the name is checked, `-login-` and hex digits cannot form one.
 */
export function cognitoDomainPrefix(cfg: Pick<Config, 'name' | 'cognito'>, dataStackId?: string): string {
  if (cfg.cognito.domainPrefix !== undefined) return cfg.cognito.domainPrefix;
  return `${derivedDomainPrefixBase(cfg)}${dataStackId === undefined ? DOMAIN_PREFIX_STACK_ID_PLACEHOLDER : stackIdSuffix(dataStackId)}`;
}

/** The fixed part of a derived domain prefix: `<name>-login-` (the stack-id suffix follows). */
export function derivedDomainPrefixBase(cfg: Pick<Config, 'name'>): string {
  return `${cfg.name}-login-`;
}

/** True when the config leaves the domain prefix to the kit (no `cognito.domainPrefix`). */
export function isDomainPrefixDerived(cfg: Pick<Config, 'cognito'>): boolean {
  return cfg.cognito.domainPrefix === undefined;
}

/**
 * The first group of the UUID ending a CloudFormation StackId ARN (8 lowercase hex
 * digits). Throws on anything else, naming the value.
 */
export function stackIdSuffix(stackId: string): string {
  const m = /^arn:[a-z-]+:cloudformation:[a-z0-9-]+:\d{12}:stack\/[^/]+\/([0-9a-f]{8})-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(stackId);
  if (!m) throw new Error(`not a CloudFormation StackId: ${JSON.stringify(stackId)} (expected arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>)`);
  return m[1]!;
}

/** ECR repository name for an app: `<name>/<app-id>`. */
export function repositoryName(cfg: Config, app: AppConfig): string {
  return `${cfg.name}/${app.id}`;
}

/** The group names in declaration order. */
export function groupNames(cfg: Config): string[] {
  return Object.keys(cfg.cognito.groups);
}

/** Returns a check that reports a group name not declared under cognito.groups, naming the declared ones. */
function groupChecker(cog: { groups: Record<string, unknown> }, ctx: z.RefinementCtx): (path: PropertyKey[], g: string) => void {
  const groups = new Set(Object.keys(cog.groups));
  const declared = [...groups].join(', ') || '(none)';
  return (path, g) => {
    if (!groups.has(g)) {
      ctx.addIssue({ code: 'custom', path, message: `unknown group "${g}"; declare it under cognito.groups (declared: ${declared})` });
    }
  };
}

function isIpv4Cidr(value: string): boolean {
  const [addr, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || addr === undefined || prefix === undefined) return false;
  if (!/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return false;
  return isIP(addr) === 4;
}

/** -1, 0 or 1 as `a` is older than, equal to or newer than `b` (both major.minor.patch). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** 3.2 → "3.2.0", 3 → "3.0.0": the version a user most likely meant by an unquoted number. */
function versionFromNumber(n: number): string {
  const parts = String(n).split('.');
  while (parts.length < 3) parts.push('0');
  return parts.join('.');
}

/**
 * Why an instance type does not exist, or undefined when it does. The list is
 * cfn-lint's (lib/data/ec2-instance-types.ts): every type offered in any region
 * when it was generated. A type AWS launched later is refused until the list is
 * regenerated, and availability in one region is not checked.
 */
export function instanceTypeProblem(type: string): string | undefined {
  const [family = '', size = ''] = type.split('.');
  const sizes = EC2_INSTANCE_FAMILIES[family]?.split(' ');
  if (sizes?.includes(size)) return undefined;
  const known = `(the kit's list of EC2 instance types, from ${EC2_INSTANCE_TYPES_SOURCE})`;
  if (sizes) {
    const near = closest(size, sizes);
    return `there is no ${type}${near ? ` (did you mean ${family}.${near}?)` : ''}; ${family} comes in ${sizes.join(', ')} ${known}`;
  }
  const near = closest(type, Object.entries(EC2_INSTANCE_FAMILIES).flatMap(([f, s]) => s.split(' ').map((x) => `${f}.${x}`)));
  return `there is no EC2 instance type ${type}${near ? ` (did you mean ${near}?)` : ''} ${known}`;
}

/** The candidate within edit distance 2 of `word` (the nearest), if any. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

// ---- backend: ecs ----

/**
 * The CPU/memory pairs Fargate accepts for a Linux task: CPU units → allowed
 * memory in MiB. Source: Amazon ECS Developer Guide, "Amazon ECS task definition
 * parameters for Fargate" → "Task size" table (8 and 16 vCPU need platform 1.4.0,
 * which is the default for new tasks).
 */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
/** The size an app gets with `backend: ecs` when it names neither fargate nor cpus/memory. */
export const DEFAULT_FARGATE_SIZE = { cpu: 512, memory: 1024 } as const;

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
}

/** The ecs section with its defaults (also when the file has none). */
export function ecsSettings(cfg: Config): { egress: 'nat' | 'endpoints'; architecture: 'x86_64' | 'arm64'; logRetentionDays: number } {
  return {
    egress: cfg.ecs?.egress ?? 'nat',
    architecture: appArchitecture(cfg),
    logRetentionDays: cfg.ecs?.logRetentionDays ?? 30,
  };
}

/** Docker memory syntax (512m, 1.5g) in MiB, rounded up. */
export function memoryMiB(memory: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(memory);
  if (!m) throw new Error(`not a Docker memory size: ${memory}`);
  const factor = { k: 1 / 1024, m: 1, g: 1024 }[m[2]!.toLowerCase() as 'k' | 'm' | 'g'];
  return Math.ceil(Number(m[1]) * factor);
}

/**
 * An app's Fargate task size: `fargate` when given; otherwise the smallest
 * valid size holding `cpus` and `memory` (rounded up); otherwise 512/1024.
 * Undefined when cpus/memory exceed every Fargate size.
 */
export function fargateSize(app: AppConfig): { cpu: number; memory: number } | undefined {
  if (app.fargate) return { ...app.fargate };
  if (app.cpus === undefined && app.memory === undefined) return { ...DEFAULT_FARGATE_SIZE };
  const cpu = Math.ceil((app.cpus ?? 0) * 1024);
  const memory = app.memory === undefined ? 0 : memoryMiB(app.memory);
  for (const units of FARGATE_CPU_UNITS) {
    if (units < cpu) continue;
    const fit = FARGATE_SIZES[units]!.find((mib) => mib >= memory);
    if (fit !== undefined) return { cpu: units, memory: fit };
  }
  return undefined;
}

function checkEcs(cfg: z.output<typeof ConfigObject>, ctx: z.RefinementCtx): void {
  if (cfg.ecs !== undefined && cfg.backend !== 'ecs') {
    ctx.addIssue({ code: 'custom', path: ['ecs'], message: 'the ecs section applies only with backend: ecs; set backend: ecs or remove it' });
  }
  cfg.apps.forEach((app, i) => {
    if (app.fargate && FARGATE_CPU_UNITS.includes(app.fargate.cpu)) {
      const allowed = FARGATE_SIZES[app.fargate.cpu]!;
      if (!allowed.includes(app.fargate.memory)) {
        ctx.addIssue({
          code: 'custom',
          path: ['apps', i, 'fargate', 'memory'],
          message: `Fargate does not run ${app.fargate.cpu} CPU units with ${app.fargate.memory} MiB; with cpu ${app.fargate.cpu} use one of: ${allowed.join(', ')} MiB`,
        });
      }
    }
    if (cfg.backend === 'ecs' && !app.fargate && fargateSize(app) === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, app.memory !== undefined ? 'memory' : 'cpus'],
        message: 'no Fargate task size holds these cpus/memory (at most 16 vCPU and 120 GiB); lower them or set apps[].fargate',
      });
    }
  });
}

// ---- federated identity: cross-field rules and derived values ----

/** The trigger's mapping travels in a Lambda environment variable (4 KB for all of them). */
const MAX_MAPPING_JSON = 3000;

type CognitoConfig = z.output<typeof CognitoSchema>;

/** Cognito's provider name: `Google` for Google, the configured name otherwise. */
export function identityProviderName(p: IdentityProviderConfig): string {
  return p.type === 'google' ? GOOGLE_PROVIDER_NAME : p.name;
}

/**
 * The provider the login goes straight to: set when there is exactly one external
 * provider and no local users (the authorize URL then carries `identity_provider=`,
 * which skips Cognito's chooser page).
 */
export function loginIdentityProvider(cfg: Pick<Config, 'cognito'>): string | undefined {
  const providers = cfg.cognito.identityProviders;
  return !cfg.cognito.localUsers && providers.length === 1 ? identityProviderName(providers[0]!) : undefined;
}

/** Whether any provider maps a groups claim into custom:groups. */
export function mapsProviderGroups(cfg: Pick<Config, 'cognito'>): boolean {
  return cfg.cognito.identityProviders.some((p) => p.type !== 'google' && p.attributeMapping?.groups !== undefined);
}

/** Whether the pre-token-generation trigger is needed (mapping or default groups). */
export function needsGroupTrigger(cfg: Pick<Config, 'cognito'>): boolean {
  return Object.keys(cfg.cognito.groupMapping).length > 0 || cfg.cognito.defaultGroups.length > 0;
}

/** Providers whose groups claim is mapped into custom:groups (OIDC and SAML only). */
export function groupSendingProviders(cfg: Pick<Config, 'cognito'>): string[] {
  return cfg.cognito.identityProviders.filter((p) => p.type !== 'google' && p.attributeMapping?.groups !== undefined).map(identityProviderName);
}

/**
 * A groupMapping key as `{ provider, value }`. `EntraID:Sales` names the provider;
 * a plain `Sales` belongs to the one provider that sends groups (and is refused by
 * validate when several do). A prefix that names no configured provider is part of
 * the value (SAML group URNs contain colons).
 */
export function parseMappingKey(cfg: Pick<Config, 'cognito'>, key: string): { provider?: string; value: string } {
  const colon = key.indexOf(':');
  if (colon > 0) {
    const prefix = key.slice(0, colon).trim().toLowerCase();
    const provider = cfg.cognito.identityProviders.map(identityProviderName).find((n) => n.toLowerCase() === prefix);
    if (provider) return { provider, value: key.slice(colon + 1).trim() };
  }
  const senders = groupSendingProviders(cfg);
  return senders.length === 1 ? { provider: senders[0]!, value: key.trim() } : { value: key.trim() };
}

/**
 * The mapping as the trigger reads it: `<provider>:<value>`, both lower-cased
 * (matching is case-insensitive), so a value only counts when it comes from the
 * provider it was written for. Keys without a provider are left out (validate
 * refuses them).
 */
export function triggerGroupMapping(cfg: Pick<Config, 'cognito'>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, groups] of Object.entries(cfg.cognito.groupMapping)) {
    const { provider, value } = parseMappingKey(cfg, key);
    if (provider) out[`${provider.toLowerCase()}:${value.toLowerCase()}`] = [...groups];
  }
  return out;
}

/**
 * Providers whose `email` the trigger trusts without `email_verified: true`
 * (trustEmail: true). Google maps email_verified itself; OIDC providers map it
 * when they send it (Entra ID does not); SAML has no such claim.
 */
export function trustedEmailProviders(cfg: Pick<Config, 'cognito'>): string[] {
  return cfg.cognito.identityProviders.filter((p) => p.type !== 'google' && p.trustEmail).map(identityProviderName);
}

function checkIdentity(cfg: { cognito: CognitoConfig; region?: string }, ctx: z.core.$RefinementCtx): void {
  const cog = cfg.cognito;
  const checkGroup = groupChecker(cog, ctx);

  const names = new Map<string, number>();
  cog.identityProviders.forEach((p, i) => {
    const name = identityProviderName(p);
    const first = names.get(name.toLowerCase());
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'identityProviders', i, p.type === 'google' ? 'type' : 'name'],
        message: `duplicate provider "${name}" (also cognito.identityProviders[${first}]); each provider needs its own name`,
      });
    } else names.set(name.toLowerCase(), i);
    if (p.type === 'saml' && (p.metadataUrl === undefined) === (p.metadataFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'identityProviders', i],
        message: 'expected exactly one of metadataUrl or metadataFile (the IdP\'s SAML metadata)',
      });
    }
  });

  if (!cog.localUsers && cog.identityProviders.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'localUsers'],
      message: 'localUsers: false needs at least one entry in cognito.identityProviders, or nobody could sign in',
    });
  }

  const seenKeys = new Map<string, string>();
  const senders = groupSendingProviders(cfg);
  for (const [key, targets] of Object.entries(cog.groupMapping)) {
    const parsed = parseMappingKey(cfg, key);
    if (!parsed.provider && senders.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `several providers send groups (${senders.join(', ')}): prefix the key with the provider it comes from, such as "${senders[0]}:${key}", so another provider cannot claim it`,
      });
    } else if (parsed.provider && !senders.includes(parsed.provider)) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `provider ${parsed.provider} sends no groups: set attributeMapping.groups on it, or key the mapping by a provider that does (${senders.join(', ') || 'none'})`,
      });
    }
    const folded = parsed.provider ? `${parsed.provider.toLowerCase()}:${parsed.value.toLowerCase()}` : key.trim().toLowerCase();
    const other = seenKeys.get(folded);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'groupMapping', key],
        message: `"${key}" and "${other}" name the same provider group (matching ignores case, surrounding spaces and a prefix naming the only provider); merge them`,
      });
    } else seenKeys.set(folded, key);
    targets.forEach((g) => checkGroup(['cognito', 'groupMapping', key], g));
  }
  cog.defaultGroups.forEach((g, j) => checkGroup(['cognito', 'defaultGroups', j], g));

  if (Object.keys(cog.groupMapping).length > 0 && !mapsProviderGroups(cfg)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'groupMapping'],
      message:
        'groupMapping needs a provider that sends groups: set attributeMapping.groups on an oidc or saml provider (the claim holding the user\'s groups, such as "groups")',
    });
  }
  if (cog.defaultGroups.length > 0 && cog.federatedEmailDomains.length === 0 && cog.identityProviders.some((p) => p.type === 'google')) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'defaultGroups'],
      message:
        'with a google provider, defaultGroups would open apps to every Google account: set cognito.federatedEmailDomains (e.g. [example.org]) to limit them to your domain',
    });
  }
  if (cog.defaultGroups.length > 0 && cog.identityProviders.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'defaultGroups'],
      message: 'defaultGroups apply to federated users only; add a provider under cognito.identityProviders or assign groups with `shinykit users add --group`',
    });
  }
  if (cog.federatedEmailDomains.length > 0) {
    cog.identityProviders.forEach((p, i) => {
      if (p.type === 'saml' && !p.trustEmail) {
        ctx.addIssue({
          code: 'custom',
          path: ['cognito', 'identityProviders', i, 'trustEmail'],
          message: `SAML sends no email_verified, so with federatedEmailDomains nobody from ${p.name} would get groups: set trustEmail: true if ${p.name} only issues addresses your organisation verified`,
        });
      }
    });
  }
  const email = cog.email;
  if (email?.sesRegion && cfg.region && email.sesRegion !== cfg.region && !SES_ALTERNATE_REGIONS.includes(email.sesRegion)) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'email', 'sesRegion'],
      message: `Cognito in ${cfg.region} sends through SES in ${cfg.region} or one of ${SES_ALTERNATE_REGIONS.join(', ')}; verify the identity in ${cfg.region} and drop sesRegion`,
    });
  }
  if (email?.sesIdentity !== undefined) {
    const domain = email.from.slice(email.from.lastIndexOf('@') + 1).toLowerCase();
    if (email.sesIdentity.toLowerCase() !== email.from.toLowerCase() && email.sesIdentity.toLowerCase() !== domain) {
      ctx.addIssue({
        code: 'custom',
        path: ['cognito', 'email', 'sesIdentity'],
        message: `expected the from address (${email.from}) or its domain (${domain}): Cognito sends from an identity that covers the from address`,
      });
    }
  }
  const size = JSON.stringify({ m: triggerGroupMapping(cfg), d: cog.defaultGroups, e: cog.federatedEmailDomains, t: trustedEmailProviders(cfg) }).length;
  if (size > MAX_MAPPING_JSON) {
    ctx.addIssue({
      code: 'custom',
      path: ['cognito', 'groupMapping'],
      message: `the mapping is ${size} characters as JSON; at most ${MAX_MAPPING_JSON} fit the trigger's environment: map fewer provider groups`,
    });
  }
}

function isPlainHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '' && !url.username && !url.password && !url.search && !url.hash && !/[?#]/.test(value);
  } catch {
    return false;
  }
}
