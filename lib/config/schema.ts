/**
 * The schema of shinykit.yaml and the types the rest of the kit works with.
 *
 * The schema is strict: an unknown key is an error, because a misspelt optional key
 * silently ignored is the most common way a hand-written config goes wrong. The
 * `cognito` section is in identity-schema.ts; rules that span sections are at the end.
 */
import { z } from 'zod';
import { cognitoDomainPrefix } from './domain-prefix.js';
import { repositoryName } from './derived.js';
import { FARGATE_CPU_HINT, FARGATE_CPU_UNITS, checkEcs } from './fargate.js';
import { cidr, dnsLabel, groupChecker, groupName, isIpv4Cidr, port, EMAIL, hostname } from './fields.js';
import { CognitoSchema, RESERVED_PREFIX_WORDS } from './identity-schema.js';
import { checkIdentity } from './identity-rules.js';
import { INSTANCE_TYPE, instanceTypeProblem } from './instance-types.js';
import { StorageSchema, checkStorage } from './storage.js';
import { DEFAULT_SHINYPROXY_VERSION, MIN_SHINYPROXY_VERSION, SEMVER, compareVersions, versionFromNumber } from './versions.js';

/** Docker's memory syntax, as ShinyProxy passes it through: 512m, 1g, 1.5g. */
export const MEMORY = /^\d+(\.\d+)?[kmg]$/i;

export const DEFAULT_PORTS = { shiny: 3838, dash: 8050 } as const;
/** Memory limit an app container gets when the config names none (Docker syntax). */
export const DEFAULT_APP_MEMORY = '512m';
/**
 * SSH from a range wider than this prefix (a /15 is 131,072 addresses) is "open
 * to the internet" for our purposes: it needs host.allowSshFromAnywhere.
 */
export const WIDEST_SSH_PREFIX = 16;
/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
const LOG_RETENTION_DAYS: readonly number[] = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Fargate task size for one app (used only with `backend: ecs`): CPU units
 * (1024 = 1 vCPU) and memory in MiB, as ECS RegisterTaskDefinition reads them.
 * The pair is checked against `FARGATE_SIZES` in the cross-field rules.
 */
export const FargateSchema = z.strictObject({
  cpu: z
    .number({ error: FARGATE_CPU_HINT })
    .refine((v) => FARGATE_CPU_UNITS.includes(v), { error: FARGATE_CPU_HINT }),
  memory: z
    .number({ error: 'expected the task memory in MiB, such as 2048' })
    .int({ error: 'expected a whole number of MiB, such as 2048' })
    .positive({ error: 'expected the task memory in MiB, such as 2048' }),
});

export const AppSchema = z.strictObject({
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
  /** A directory that outlives the container, per user or shared (lib/config/storage.ts). */
  storage: StorageSchema.optional(),
  /** Fargate task size with `backend: ecs`; derived from cpus/memory (or 512/1024) when absent. */
  fargate: FargateSchema.optional(),
});

/** Let's Encrypt's ACME profiles (https://letsencrypt.org/docs/profiles/). */
export const ACME_PROFILES = ['classic', 'tlsserver', 'shortlived'] as const;

export const TlsSchema = z.strictObject({
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

export const HostSchema = z.strictObject({
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

export const ShinyProxySchema = z.strictObject({
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
export const EcsSchema = z.strictObject({
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

export const ConfigObject = z.strictObject({
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
    checkStorage(cfg, ctx);
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
