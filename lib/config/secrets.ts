/**
 * Settings and secrets of an app: `apps[].env` (plain values, rendered into application.yml)
 * and `apps[].secrets` (references to Parameter Store SecureStrings or Secrets Manager
 * secrets; the values never pass through the config, CloudFormation or application.yml).
 *
 * A reference is one string:
 *   ssm:/path/name                                      a Parameter Store parameter by name
 *   secretsmanager:name                                 a Secrets Manager secret by name
 *   arn:aws:ssm:<region>:<account>:parameter/path/name  either, by ARN (another region or account)
 *   arn:aws:secretsmanager:<region>:<account>:secret:name-AbCdEf
 * A Secrets Manager ARN must be complete (its 6-character suffix included): IAM matches the
 * real ARN, so a partial one would grant nothing; by name, the grant uses `name-??????`.
 *
 * The checks on `env` that catch a secret typed in as a plain value live here too, with
 * the key hints `unknown key` messages share (load.ts).
 */
import { z } from 'zod';

/** An environment variable name as POSIX shells and ECS accept it. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_HINT = 'an environment variable name: letters, digits and "_", not starting with a digit';

/** Below this the kit keeps the SecureStrings `shinykit secrets set` writes; outside the config prefix the host reads whole. */
export const KIT_SECRETS_ROOT = '/shinykit-secrets';

/** Where `shinykit secrets set <app> <NAME>` keeps a value: `/shinykit-secrets/<project>/<app>/<NAME>`. */
export function kitSecretParameterName(project: string, appId: string, name: string): string {
  return `${KIT_SECRETS_ROOT}/${project}/${appId}/${name}`;
}

export type SecretService = 'ssm' | 'secretsmanager';

/** A parsed reference. */
export interface SecretRef {
  readonly service: SecretService;
  /** As written in shinykit.yaml. */
  readonly reference: string;
  /** The parameter's name (with its leading "/" when hierarchical) or the secret's name; from the ARN when given by ARN. */
  readonly name: string;
  /** Given by ARN: the ARN exactly (and its region and account). */
  readonly arn?: string;
  readonly region?: string;
  readonly account?: string;
  readonly partition?: string;
}

// Parameter Store names: letters, digits, _ . - and "/" for hierarchies (a name with a "/" starts with one);
// names starting with aws or ssm are reserved. Secrets Manager names: letters, digits and /_+=.@-.
const SSM_NAME = /^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/;
// "!" appears only in names AWS services give the secrets they manage (rds!db-…).
const SM_NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
const ARN = /^arn:(aws[a-z-]*):(ssm|secretsmanager):([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):(.+)$/;
export const SECRET_REF_HINT =
  'expected a reference such as ssm:/path/NAME, secretsmanager:NAME, or the full ARN of a parameter or secret (the value itself never goes in shinykit.yaml)';

/** Parses a reference; a string saying what is wrong when it is not one. */
export function parseSecretRef(reference: string): SecretRef | string {
  const arn = ARN.exec(reference);
  if (arn) {
    const [, partition, service, region, account, resource] = arn as unknown as [string, string, SecretService, string, string, string];
    if (service === 'ssm') {
      const m = /^parameter(\/.+)$/.exec(resource);
      if (!m) return 'a Parameter Store ARN ends in :parameter/<name>';
      // The ARN of "/a/b" is parameter/a/b and that of "a" is parameter/a: a name with a "/" has its leading "/".
      const name = m[1]!.slice(1).includes('/') ? m[1]! : m[1]!.slice(1);
      const bad = ssmNameProblem(name);
      return bad ?? { service, reference, name, arn: reference, region, account, partition };
    }
    const m = /^secret:(.+)-[A-Za-z0-9]{6}$/.exec(resource);
    if (!m) {
      return 'a Secrets Manager ARN must be complete, ending in the 6-character suffix Secrets Manager adds (name-AbCdEf): IAM matches the full ARN; or give the secret by name (secretsmanager:NAME)';
    }
    return SM_NAME.test(m[1]!) ? { service, reference, name: m[1]!, arn: reference, region, account, partition } : `"${m[1]}" is not a Secrets Manager secret name`;
  }
  if (reference.startsWith('arn:')) return 'expected the ARN of a Parameter Store parameter (arn:aws:ssm:<region>:<account>:parameter/...) or of a Secrets Manager secret (arn:aws:secretsmanager:...:secret:...)';
  const colon = reference.indexOf(':');
  const scheme = colon > 0 ? reference.slice(0, colon) : '';
  const name = reference.slice(colon + 1);
  if (scheme === 'ssm') return ssmNameProblem(name) ?? { service: 'ssm', reference, name };
  if (scheme === 'secretsmanager') {
    return SM_NAME.test(name) ? { service: 'secretsmanager', reference, name } : `"${name}" is not a Secrets Manager secret name (letters, digits and /_+=.@-, 1-512 characters)`;
  }
  return SECRET_REF_HINT;
}

function ssmNameProblem(name: string): string | undefined {
  if (!SSM_NAME.test(name) || name.length > 1011) {
    return `"${name}" is not a Parameter Store name (letters, digits, "_", ".", "-"; a hierarchical name starts with "/")`;
  }
  if (/^\/?(aws|ssm)/i.test(name)) return `"${name}" starts with aws or ssm, which Parameter Store reserves`;
  return undefined;
}

/** The schema of one `apps[].secrets` value. */
export const secretReference = z.string({ error: SECRET_REF_HINT }).superRefine((v, ctx) => {
  const parsed = parseSecretRef(v);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** An app's secrets, parsed (the schema has checked them). */
export function appSecrets(app: { secrets?: Readonly<Record<string, string>> }): Array<{ env: string; ref: SecretRef }> {
  return Object.entries(app.secrets ?? {}).map(([env, reference]) => {
    const ref = parseSecretRef(reference);
    if (typeof ref === 'string') throw new Error(`unchecked secret reference ${reference}: ${ref}`);
    return { env, ref };
  });
}

// ---- Secret-looking values in `env` ----

/** Words in a key name that say it holds a secret (DB_PASSWORD, apiKey, GITHUB_TOKEN, clientSecret). */
const SECRET_WORDS = new Set(['password', 'passwd', 'pass', 'pwd', 'passphrase', 'secret', 'secrets', 'token', 'apikey', 'credential', 'credentials']);
const SECRET_PAIRS = new Set(['api key', 'private key', 'access key', 'secret key', 'auth key', 'signing key']);

/**
 * True when a key's name says it holds a secret. Shared with load.ts's hint for unknown keys.
 * Whole words only (split at "_", "-", "." and camelCase), so TOKENIZER or BYPASS_CACHE are settings.
 */
export function isSecretKeyName(key: string): boolean {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  return words.some((w, j) => SECRET_WORDS.has(w) || (j > 0 && SECRET_PAIRS.has(`${words[j - 1]} ${w}`)));
}
/** Keys naming where a secret is, not the secret: DB_PASSWORD_FILE, TOKEN_URL, SECRET_NAME. */
const POINTER_SUFFIX = /[_-](url|uri|endpoint|path|file|name|header|id|arn|length|ttl|expiry|expires)$/i;

/** Values that are secrets whatever their key is called: why, or undefined. */
export function secretValueReason(value: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*-----/.test(value)) return 'a PEM block (a key or certificate)';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(value)) return 'a URL with a password in it (user:password@)';
  if (/\b(AKIA|ASIA)[A-Z0-9]{16}\b/.test(value)) return 'an AWS access key id';
  // 40 characters of base64 with upper case, lower case and a digit: the shape of an AWS secret access key
  // (a git commit hash is lower-case hex and does not match).
  if (/^[A-Za-z0-9/+=]{40}$/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value)) {
    return 'the shape of an AWS secret access key';
  }
  if (/^(ghp_|gho_|github_pat_|glpat-|xox[abprs]-|sk-[A-Za-z0-9_-]{20,}|sk_live_|rk_live_|AIza[0-9A-Za-z_-]{30,})/.test(value)) {
    return 'the prefix of an API token (GitHub, GitLab, Slack, OpenAI, Stripe or Google)';
  }
  return undefined;
}

/** Why an `env` entry looks like a secret, or undefined when it looks like a plain setting. */
export function secretEnvReason(key: string, value: string): string | undefined {
  const byValue = secretValueReason(value);
  if (byValue) return `its value looks like ${byValue}`;
  // A key named like a secret, with a literal value; empty values, numbers and booleans are settings.
  if (isSecretKeyName(key) && !POINTER_SUFFIX.test(key) && !/^(|\d+|true|false|yes|no)$/i.test(value.trim())) {
    return 'its name says it holds a secret and it has a literal value';
  }
  return undefined;
}

interface AppSettings {
  readonly id: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string>>;
}

/**
 * Cross-field rules for one app's settings and secrets: no secret-looking `env`, no name in
 * both, no reference into the kit's own configuration parameters (the host reads those whole),
 * and with `backend: ecs` Secrets Manager secrets by ARN (ECS takes nothing else).
 */
export function checkAppSettings(
  cfg: { name: string; backend: 'docker' | 'ecs' },
  app: AppSettings,
  i: number,
  ctx: z.RefinementCtx,
): void {
  // (An env name that is not a variable name is refused by render: lib/render/inputs.ts.)
  for (const [key, value] of Object.entries(app.env ?? {})) {
    const reason = secretEnvReason(key, value);
    if (reason) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'env', key],
        message:
          `looks like a secret (${reason}); env values are written into application.yml in plain text. ` +
          `Store it with \`shinykit secrets set ${app.id} ${ENV_NAME.test(key) ? key : 'NAME'}\` and reference it under apps[${i}].secrets instead`,
      });
    }
  }
  for (const [key, reference] of Object.entries(app.secrets ?? {})) {
    if (!ENV_NAME.test(key)) {
      ctx.addIssue({ code: 'custom', path: ['apps', i, 'secrets', key], message: `"${key}" is not ${ENV_NAME_HINT}` });
    }
    if (app.env && key in app.env) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'secrets', key],
        message: `${key} is in both env and secrets of app ${app.id}; keep it in one (secrets, if it is a secret)`,
      });
    }
    const ref = parseSecretRef(reference);
    if (typeof ref === 'string') continue; // the field's own check reported it
    if (ref.service === 'ssm' && (ref.name === `/shinykit/${cfg.name}` || ref.name.startsWith(`/shinykit/${cfg.name}/`))) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'secrets', key],
        message: `/shinykit/${cfg.name}/ holds the kit's own configuration, which the host reads whole; keep app secrets at ${kitSecretParameterName(cfg.name, app.id, key)} (\`shinykit secrets set ${app.id} ${key}\` puts it there)`,
      });
    }
    if (cfg.backend === 'ecs' && ref.service === 'secretsmanager' && !ref.arn) {
      ctx.addIssue({
        code: 'custom',
        path: ['apps', i, 'secrets', key],
        message:
          'with backend: ecs a Secrets Manager secret must be given by its full ARN (ECS task definitions take nothing else); ' +
          `find it with \`aws secretsmanager describe-secret --secret-id ${ref.name} --query ARN\``,
      });
    }
  }
}

/** The services an app's secrets come from, across the config (for VPC endpoints with `ecs.egress: endpoints`). */
export function secretServices(cfg: { apps: ReadonlyArray<{ secrets?: Readonly<Record<string, string>> }> }): SecretService[] {
  const found = new Set<SecretService>();
  for (const app of cfg.apps) for (const { ref } of appSecrets(app)) found.add(ref.service);
  return (['ssm', 'secretsmanager'] as const).filter((s) => found.has(s));
}
