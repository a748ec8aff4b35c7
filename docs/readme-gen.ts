/**
 * Generates README.md's reference sections so they cannot drift:
 * - the config reference, from the zod schema in lib/config/ (through zod's
 *   JSON Schema export) plus the one-line descriptions below;
 * - the CLI reference, from the built CLI's own `--help` output, for every
 *   command and subcommand.
 * `npm run docs` rewrites the text between the markers; test/unit/readme.test.ts
 * fails when README.md differs from what this produces.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Command } from 'commander';
import { ConfigSchema } from '../lib/config/index.js';
import { mapConcurrent } from '../cli/lib/concurrency.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const README = `${ROOT}README.md`;
const CLI = `${ROOT}bin/shinykit-cli.js`;

/**
 * What each key means, by path (`apps[].port`, `cognito.groups.<name>.precedence`).
 * Keys missing here still appear in the table (type, default), with "—" for the text.
 */
export const CONFIG_DESCRIPTIONS: Record<string, string> = {
  name: 'Project name: prefixes the stacks (`<name>-data`, `<name>-host`), ECR repositories (`<name>/<app>`) and Parameter Store paths (`/shinykit/<name>/`). At most 40 characters.',
  region: 'Pins both stacks to this region. Without it, `cdk deploy` uses your AWS profile\'s region.',
  domain: 'The site\'s DNS name. Without it the site is the Elastic IP itself, `https://<elastic-ip>/`, with a Let\'s Encrypt IP certificate (160 hours, renewed about every 3 days; no DNS setup).',
  hostedZone: 'A Route 53 hosted zone you own that contains `domain`; the stack then creates the A record. Without it, create the record yourself (see `HostPublicIp`).',
  tls: 'HTTPS certificate settings (Let\'s Encrypt, issued and renewed on the host).',
  'tls.email': 'The ACME account\'s contact at Let\'s Encrypt. Let\'s Encrypt sends no expiry mail since 4 June 2025: `shinykit doctor` reports expiry and the last ACME error.',
  'tls.profile': 'With `domain`: the Let\'s Encrypt profile (`classic` 90 days, the default; `tlsserver`; `shortlived` 160 hours). Without `domain` only `shortlived` exists (IP certificates).',
  'tls.sslip': 'Without `domain`: serve `https://<elastic-ip>.sslip.io` instead of the bare IP. Not recommended: every sslip.io user shares one Let\'s Encrypt quota, which often runs out.',
  host: 'The EC2 instance that runs nginx, ShinyProxy and the app containers.',
  'host.instanceType': 'EC2 instance type. Graviton types (`t4g.*`, `m7g.*`, ...) run arm64: images are built for linux/arm64 and an arm64 AMI is used. `validate` checks it against the EC2 instance types known to the kit (cfn-lint\'s list, `scripts/gen-instance-types.mjs`).',
  'host.volumeGiB': 'Root volume size (gp3, encrypted). Holds the OS, every app image and the apps\' `storage` (lost if the host is replaced).',
  'host.sshCidr': 'Opens port 22 to this IPv4 CIDR only. Absent: no SSH at all (use SSM Session Manager). A range wider than /16 (0.0.0.0/0 is the whole internet) is refused unless `allowSshFromAnywhere` is set.',
  'host.allowSshFromAnywhere': 'Acknowledges an `sshCidr` wider than /16, such as 0.0.0.0/0. `shinykit plan` still warns about it.',
  'host.shinyproxyJarSha256': 'SHA-256 of the ShinyProxy jar the host downloads; the host refuses a jar that does not match.',
  cognito: 'The Cognito user pool: who can log in, and the groups that open apps.',
  'cognito.domainPrefix': 'Prefix of the hosted login page `https://<prefix>.auth.<region>.amazoncognito.com`; unique per region across all AWS accounts. Default: `<name>-login-<s>`, `<s>` being the first 8 hex digits of the data stack\'s StackId UUID (unique with no action, stable across updates; `plan` shows the pattern before the first deploy, the `CognitoDomainUrl` output the real value). Cannot change on a deployed pool.',
  'cognito.mfa': 'Multi-factor authentication with an authenticator app (TOTP). `required`: every local user sets one up on the login page at sign-in. `optional`: nobody is asked to enrol (in practice nobody new gets MFA). `off`: password only. From `off` go through `optional` to reach `required` (CloudFormation refuses the direct switch; `validate` says so).',
  'cognito.email': 'Send invitations and password resets through Amazon SES instead of Cognito\'s own sender (50 emails a day per account). See [docs/identity.md](docs/identity.md#invitation-emails).',
  'cognito.email.from': 'Sender address. It, or its domain, must be a verified SES identity (`shinykit doctor` checks).',
  'cognito.email.fromName': 'Display name shown with the address.',
  'cognito.email.replyTo': 'Reply-To address.',
  'cognito.email.sesIdentity': 'The verified SES identity: the from address (default) or its domain.',
  'cognito.email.sesRegion': 'Region of the SES identity. Default: the pool\'s. Another region works only if it is us-east-1, us-west-2 or eu-west-1.',
  'cognito.email.configurationSet': 'An SES configuration set applied to every message (event publishing, dedicated IPs).',
  'cognito.identityProviders[type=oidc].attributeMapping.emailVerified': 'Claim saying the provider verified the email. Default: `email_verified` (Entra ID sends none: set `trustEmail` instead).',
  'cognito.identityProviders[type=oidc].trustEmail': 'Trust this provider\'s email without `email_verified` (for `federatedEmailDomains`): only for a directory that issues the addresses itself.',
  'cognito.identityProviders[type=saml].attributeMapping.emailVerified': 'Not used by SAML providers (set `trustEmail`).',
  'cognito.identityProviders[type=saml].trustEmail': 'Trust this provider\'s email for `federatedEmailDomains` (SAML sends no `email_verified`; required with `federatedEmailDomains`).',
  'cognito.featurePlan': 'Cognito feature plan. `plus` adds threat protection and costs more per user (see `shinykit plan`).',
  'cognito.groups': 'The groups, by name. Users get access to apps through groups (`shinykit users add EMAIL --group NAME`).',
  'cognito.groups.<name>.description': 'Shown in the Cognito console and `shinykit groups list`.',
  'cognito.groups.<name>.precedence': 'Cognito precedence (lower wins when a user is in several groups).',
  'cognito.identityProviders': 'Sign-in with Google, an OpenID Connect or a SAML identity provider, besides (or instead of) local users. See [docs/identity.md](docs/identity.md).',
  'cognito.identityProviders[type=google].type': 'Google sign-in.',
  'cognito.identityProviders[type=google].clientId': 'OAuth client id from the Google Cloud console.',
  'cognito.identityProviders[type=google].clientSecretName': 'NAME of the Secrets Manager secret holding the client secret (never the secret itself).',
  'cognito.identityProviders[type=oidc].type': 'An OpenID Connect provider (Entra ID, Okta, Keycloak, ...).',
  'cognito.identityProviders[type=oidc].name': 'Provider name: shown on the login page and prefixing its users\' user names.',
  'cognito.identityProviders[type=oidc].issuerUrl': 'Issuer URL; Cognito reads `<issuerUrl>/.well-known/openid-configuration`.',
  'cognito.identityProviders[type=oidc].clientId': 'Client (application) id registered with the provider.',
  'cognito.identityProviders[type=oidc].clientSecretName': 'NAME of the Secrets Manager secret holding the client secret (never the secret itself).',
  'cognito.identityProviders[type=oidc].scopes': 'OAuth scopes to request; must include `openid`.',
  'cognito.identityProviders[type=oidc].attributeMapping': 'Which provider claims fill the user\'s attributes.',
  'cognito.identityProviders[type=oidc].attributeMapping.email': 'Claim with the email address (ShinyProxy\'s user name). Default: `email`.',
  'cognito.identityProviders[type=oidc].attributeMapping.name': 'Claim with the display name. Default: `name`.',
  'cognito.identityProviders[type=oidc].attributeMapping.groups': 'Claim with the user\'s groups, translated by `cognito.groupMapping`.',
  'cognito.identityProviders[type=saml].type': 'A SAML 2.0 identity provider (Entra ID, AD FS, ...).',
  'cognito.identityProviders[type=saml].name': 'Provider name: shown on the login page and prefixing its users\' user names.',
  'cognito.identityProviders[type=saml].metadataUrl': 'URL of the IdP\'s SAML metadata (or use `metadataFile`).',
  'cognito.identityProviders[type=saml].metadataFile': 'IdP metadata XML file, relative to shinykit.yaml; read at synthesis.',
  'cognito.identityProviders[type=saml].attributeMapping': 'Which SAML attributes fill the user\'s attributes.',
  'cognito.identityProviders[type=saml].attributeMapping.email': 'Attribute with the email address. Default: the `emailaddress` claim URI.',
  'cognito.identityProviders[type=saml].attributeMapping.name': 'Attribute with the display name.',
  'cognito.identityProviders[type=saml].attributeMapping.groups': 'Attribute with the user\'s groups, translated by `cognito.groupMapping`.',
  'cognito.localUsers': 'Email + password users created with `shinykit users add`. `false`: federated sign-in only.',
  'cognito.groupMapping': '`<provider>:<value>` (an Entra ID group id, a SAML group name, ...) → kit group(s), applied at sign-in; a value counts only from the provider it names. With one provider sending groups the prefix may be left out.',
  'cognito.defaultGroups': 'Groups every federated user gets at sign-in (in the token, not stored memberships).',
  'cognito.federatedEmailDomains': 'Only federated users with a verified email in these domains get mapped or default groups (with Google anyone can sign in; without groups they open no app).',
  shinyproxy: 'ShinyProxy settings.',
  'shinyproxy.version': 'ShinyProxy release the host installs (3.2.0 or later: the kit relies on `enforce-https-redirect-uri`). Quote it (`"3.2.3"`): YAML reads 3.2 as a number.',
  'shinyproxy.sha256': 'SHA-256 of the ShinyProxy download for `version`; the host refuses a file that does not match.',
  'shinyproxy.allowUnverifiedDownload': 'Install a ShinyProxy jar no SHA-256 is known for (neither `sha256` nor the kit\'s table). Off: the host refuses it and the deploy fails.',
  'shinyproxy.title': 'Title of the ShinyProxy landing page.',
  'shinyproxy.adminGroups': 'Groups that see ShinyProxy\'s admin page (running apps, sessions).',
  apps: 'The apps. Each is a Docker build context that `shinykit push` builds and ships.',
  'apps[].id': 'App id: the URL path (`/app/<id>`), the ECR repository name and the ShinyProxy spec id.',
  'apps[].kind': '`shiny` (port 3838), `dash` (port 8050, served under `SHINYPROXY_PUBLIC_PATH`) or `custom` (set `port`).',
  'apps[].displayName': 'Name on the ShinyProxy landing page.',
  'apps[].description': 'Description on the ShinyProxy landing page.',
  'apps[].context': 'Docker build context, relative to shinykit.yaml.',
  'apps[].dockerfile': 'Dockerfile, relative to shinykit.yaml. Default: `<context>/Dockerfile`.',
  'apps[].buildArgs': 'Docker build arguments (not secrets: they are part of the image).',
  'apps[].port': 'Port the app listens on inside its container. Default: by `kind`.',
  'apps[].groups': 'Groups whose members may open the app (each must be declared under `cognito.groups`).',
  'apps[].memory': 'Container memory limit, Docker syntax (`512m`, `2g`).',
  'apps[].cpus': 'Container CPU limit (`0.5`, `2`).',
  'apps[].seats': 'Pre-started containers ShinyProxy keeps ready (faster start, more memory).',
  'apps[].fargate': 'Fargate task size with `backend: ecs`. Default: derived from `cpus`/`memory`.',
  'apps[].fargate.cpu': 'CPU units (1024 = 1 vCPU): 256, 512, 1024, 2048, 4096, 8192 or 16384.',
  'apps[].fargate.memory': 'Memory in MiB; must be a size Fargate allows for `cpu`.',
  backend: 'Where app containers run: `docker` on the host, or `ecs` as Fargate tasks in private subnets. See [docs/ecs.md](docs/ecs.md).',
  ecs: 'Settings for `backend: ecs`.',
  'ecs.egress': 'How tasks reach ECR and CloudWatch: `nat` (one NAT gateway; apps can reach the internet) or `endpoints` (VPC endpoints; no internet).',
  'ecs.architecture': 'CPU architecture of the tasks (and of the images `push` builds). Default: the host\'s.',
  'ecs.logRetentionDays': 'Days CloudWatch keeps the app containers\' logs.',
  'apps[].storage': 'A directory that outlives the app\'s container (README, "Storage that persists"): Docker volumes on the host\'s disk, or with `backend: ecs` an EFS access point per app.',
  'apps[].storage.scope': '`user`: each user gets their own directory, which no other user\'s session sees (keyed by the Cognito `sub`; `backend: docker` only, not with `seats`). `shared`: one directory for everyone who opens the app.',
  'apps[].storage.path': 'Where it is mounted in the container, also given to the app as `SHINYKIT_STORAGE_DIR`. The image must contain this directory, owned by the user the app runs as. Not under /bin, /boot, /dev, /etc, /lib, /lib64, /proc, /run, /sbin, /sys, /usr or /var.',
  'apps[].storage.sizeGiB': 'Expected size of one user\'s directory (`scope: user`) or of the shared one. Not enforced: `plan` checks `host.volumeGiB` has room for it × `--mau` users.',
  'apps[].env': 'Extra environment variables for the container. Not for secrets: they are written into application.yml.',
};

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  const?: unknown;
};

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly def?: unknown;
  readonly description?: string;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (s.oneOf) return s.oneOf.every((v) => v.type === 'object') ? 'object' : s.oneOf.map(typeOf).join(' | ');
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
  if (t === 'array' && s.items) return `list of ${typeOf(s.items)}`;
  if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) {
    const inner = s.additionalProperties;
    return inner.properties ? 'map of name → object' : `map of name → ${typeOf(inner)}`;
  }
  if (t === 'integer' || t === 'number') {
    const lo = s.minimum;
    const hi = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
    if (lo !== undefined && hi !== undefined) return `${t} ${lo}–${hi}`;
    if (lo !== undefined) return `${t} ≥ ${lo}`;
  }
  return t;
}

function walk(s: JsonSchema, path: string, required: boolean, rows: Row[]): void {
  if (path) {
    rows.push({ path, type: typeOf(s), required, def: s.default, description: CONFIG_DESCRIPTIONS[path] ?? s.description });
  }
  if (s.properties) {
    for (const [key, child] of Object.entries(s.properties)) {
      walk(child, path ? `${path}.${key}` : key, (s.required ?? []).includes(key), rows);
    }
  }
  if (s.items?.properties) walkItems(s.items, `${path}[]`, rows);
  // A list of tagged variants (identity providers): one block of rows per `type`.
  for (const variant of s.items?.oneOf ?? []) {
    const tag = variant.properties?.type?.const;
    walkItems(variant, tag === undefined ? `${path}[]` : `${path}[type=${String(tag)}]`, rows);
  }
  if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object' && s.additionalProperties.properties) {
    for (const [key, child] of Object.entries(s.additionalProperties.properties)) {
      walk(child, `${path}.<name>.${key}`, (s.additionalProperties.required ?? []).includes(key), rows);
    }
  }
}

function walkItems(items: JsonSchema, path: string, rows: Row[]): void {
  for (const [key, child] of Object.entries(items.properties ?? {})) {
    walk(child, `${path}.${key}`, (items.required ?? []).includes(key), rows);
  }
}

/** Config rows in schema order: every key shinykit.yaml accepts. */
export function configRows(): Row[] {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: Row[] = [];
  walk(schema, '', true, rows);
  return rows;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function generateConfigReference(): string {
  const lines = [
    'Every key `shinykit.yaml` accepts (unknown keys are errors). Generated from the schema in `lib/config/` by `npm run docs`.',
    '',
    '| Key | Type | Required | Default | Meaning |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of configRows()) {
    const def = r.def === undefined || (typeof r.def === 'object' && r.def !== null && Object.keys(r.def).length === 0) ? '' : `\`${JSON.stringify(r.def)}\``;
    lines.push(`| \`${r.path}\` | ${cell(r.type)} | ${r.required ? 'yes' : ''} | ${cell(def)} | ${cell(r.description ?? '—')} |`);
  }
  return lines.join('\n');
}

const run = promisify(execFile);

/** Every command path in the built CLI: [[], ['init'], ['users'], ['users', 'add'], ...]. */
async function commandPaths(): Promise<string[][]> {
  const mod = (await import(pathToFileURL(`${ROOT}dist/cli/index.js`).href)) as { createProgram(args?: string[], opts?: { manifest?: boolean }): Promise<Command> };
  const paths: string[][] = [];
  const visit = (cmd: Command, prefix: string[]) => {
    paths.push(prefix);
    for (const sub of cmd.commands) if (sub.name() !== 'help') visit(sub, [...prefix, sub.name()]);
  };
  visit(await mod.createProgram([], { manifest: false }), []); // the real commands, with their subcommands
  return paths;
}

/** The live CLI's `--help` for every command, as README sections. Needs `npm run build` first. */
export async function generateCliReference(): Promise<string> {
  const paths = await commandPaths();
  // Not a TTY, so commander wraps at its default 80 columns wherever this runs.
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1' };
  delete env.FORCE_COLOR;
  // A few at a time: each is a Node start-up.
  const helps = await mapConcurrent(paths, 4, async (p) => {
    const { stdout } = await run(process.execPath, [CLI, ...p, '--help'], { cwd: ROOT, env });
    // Each command's help repeats the global options; the reference lists them once, under `shinykit`.
    return (p.length ? stdout.replace(/\nGlobal Options:\n[\s\S]*$/, '') : stdout).trimEnd();
  });
  const out = ['Generated from the built CLI\'s `--help` by `npm run docs`. Global options go before the command (`npx shinykit --config other.yaml plan`).'];
  paths.forEach((p, i) => {
    out.push('', `#### \`shinykit${p.length ? ` ${p.join(' ')}` : ''}\``, '', '```text', helps[i]!, '```');
  });
  return out.join('\n');
}

/** A list of docs/*.md with each file's title and first sentence. */
export function generateDocsIndex(): string {
  const dir = `${ROOT}docs/`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  return files
    .map((f) => {
      const text = readFileSync(`${dir}${f}`, 'utf8');
      const title = /^# (.+)$/m.exec(text)?.[1]?.trim() ?? f;
      const body = text.replace(/^# .+$/m, '').split(/\n\s*\n/).map((p) => p.trim()).find((p) => p && !p.startsWith('```') && !p.startsWith('#'));
      const sentence = body ? (/^[\s\S]*?[.:](?=\s|$)/.exec(body.replace(/\s+/g, ' '))?.[0] ?? body.replace(/\s+/g, ' ')) : '';
      return `- [${title}](docs/${f})${sentence ? `: ${sentence.replace(/:$/, '.')}` : ''}`;
    })
    .join('\n');
}

export const SECTIONS = ['config-reference', 'cli-reference', 'docs-index'] as const;
export type Section = (typeof SECTIONS)[number];

const begin = (s: Section) => `<!-- BEGIN GENERATED ${s}: do not edit, run \`npm run docs\` -->`;
const end = (s: Section) => `<!-- END GENERATED ${s} -->`;

/** The text between a section's markers (undefined if the markers are missing). */
export function extractSection(readme: string, s: Section): string | undefined {
  const a = readme.indexOf(begin(s));
  const b = readme.indexOf(end(s));
  if (a < 0 || b < a) return undefined;
  return readme.slice(a + begin(s).length, b).replace(/^\n/, '').replace(/\n$/, '');
}

export function replaceSection(readme: string, s: Section, body: string): string {
  const a = readme.indexOf(begin(s));
  const b = readme.indexOf(end(s));
  if (a < 0 || b < a) throw new Error(`README.md lacks the markers for ${s}: ${begin(s)} ... ${end(s)}`);
  return `${readme.slice(0, a)}${begin(s)}\n${body}\n${readme.slice(b)}`;
}

async function main(): Promise<void> {
  let text = readFileSync(README, 'utf8');
  text = replaceSection(text, 'config-reference', generateConfigReference());
  text = replaceSection(text, 'cli-reference', await generateCliReference());
  text = replaceSection(text, 'docs-index', generateDocsIndex());
  writeFileSync(README, text);
  process.stderr.write('README.md: generated sections updated\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
