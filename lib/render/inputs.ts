/**
 * What rendering needs and the checks on it. Everything the renderer copies
 * into nginx or ShinyProxy syntax is checked here first, so a malformed output
 * value cannot inject a directive or break the YAML, and a placeholder cannot
 * reach the host unnoticed.
 */
import { cognitoDomainPrefix, repositoryName, type AppConfig, type Config } from '../config/index.js';
import { OutputKeys, repositoryOutputKey } from '../outputs.js';
import { checkEcsOutputs, placeholderEcsOutputs, type EcsValues } from './ecs.js';

export interface RenderInput {
  readonly config: Config;
  /** Stack outputs by key (DESIGN.md); only the keys in `RENDER_OUTPUT_KEYS` are read. */
  readonly outputs: Readonly<Record<string, string>>;
  /** App id → full image reference, `repo@sha256:…`. Every app in `config.apps` needs one. */
  readonly images: Readonly<Record<string, string>>;
  /** Where the inputs came from, for the generated-file header (one line). */
  readonly source: string;
  /**
   * The host's nginx version (published by the host as <prefix>status/host): from 1.25.1 the
   * snippet says `http2 on;` instead of the deprecated `listen … http2`. Unknown: the older
   * syntax, which every version accepts (newer ones with a warning).
   */
  readonly nginxVersion?: string;
}

export interface RenderedConfigs {
  readonly nginx: string;
  readonly application: string;
}

/** The output keys rendering reads. */
export const RENDER_OUTPUT_KEYS = [
  OutputKeys.SiteHostname,
  OutputKeys.CognitoDomainUrl,
  OutputKeys.JwksUrl,
  OutputKeys.LogoutUrl,
  OutputKeys.UserPoolClientId,
] as const;

/** Input that cannot be rendered; `problems` lists every one, each naming the value and what is wrong. */
export class RenderError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot render the host configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'RenderError';
  }
}

/** The checked values the renderers use. */
export interface RenderValues {
  readonly siteHostname: string;
  /** Without a trailing slash. */
  readonly cognitoDomainUrl: string;
  readonly jwksUrl: string;
  readonly logoutUrl: string;
  readonly clientId: string;
  /** Only with `backend: ecs` (lib/render/ecs.ts). */
  readonly ecs?: EcsValues;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const CLIENT_ID = /^[A-Za-z0-9]{1,128}$/;
/** `registry/path@sha256:<64 hex>` — no tag-only refs: the host must run exactly what was pushed. */
const IMAGE_BY_DIGEST = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+@sha256:[a-f0-9]{64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `${…}` is resolved by Spring against ShinyProxy's environment (which holds the client secret); `#{…}` is evaluated as SpEL. */
const EXPRESSION = /\$\{|#\{/;

export function checkInput(input: RenderInput): RenderValues {
  const problems: string[] = [];
  const out = (key: string): string => {
    const value = input.outputs[key];
    if (value === undefined || value === '') {
      problems.push(`output ${key} is missing`);
      return '';
    }
    if (/[\s"'`;{}\\]/.test(value) || EXPRESSION.test(value)) {
      problems.push(`output ${key} has characters no valid value contains: ${JSON.stringify(value)}`);
    }
    return value;
  };
  const httpsUrl = (key: string): string => {
    const value = out(key);
    if (value && !isHttpsUrl(value)) problems.push(`output ${key} should be an https:// URL, but it is ${JSON.stringify(value)}`);
    return value;
  };

  const siteHostname = out(OutputKeys.SiteHostname);
  if (siteHostname && !HOSTNAME.test(siteHostname)) {
    problems.push(`output ${OutputKeys.SiteHostname} should be a lowercase DNS name such as apps.example.org or an IPv4 address, but it is ${JSON.stringify(siteHostname)}`);
  }
  const cognitoDomainUrl = httpsUrl(OutputKeys.CognitoDomainUrl).replace(/\/+$/, '');
  const jwksUrl = httpsUrl(OutputKeys.JwksUrl);
  const logoutUrl = httpsUrl(OutputKeys.LogoutUrl);
  const clientId = out(OutputKeys.UserPoolClientId);
  if (clientId && !CLIENT_ID.test(clientId)) {
    problems.push(`output ${OutputKeys.UserPoolClientId} should be letters and digits, but it is ${JSON.stringify(clientId)}`);
  }

  for (const app of input.config.apps) {
    const ref = input.images[app.id];
    if (ref === undefined || ref === '') {
      problems.push(`app ${app.id} has no image; push one with \`shinykit push\` (or render with --allow-missing-images)`);
    } else if (!IMAGE_BY_DIGEST.test(ref)) {
      problems.push(`app ${app.id}: image ${JSON.stringify(ref)} is not a reference by digest (<repository>@sha256:<64 hex digits>)`);
    }
    problems.push(...checkAppStrings(app));
  }
  for (const [field, value] of [
    ['shinyproxy.title', input.config.shinyproxy.title],
  ] as const) {
    if (EXPRESSION.test(value)) problems.push(`${field}: ${expressionHint(value)}`);
  }
  const ecs = checkEcsOutputs(input.config, input.outputs, problems);
  if (problems.length > 0) throw new RenderError(problems);
  return { siteHostname, cognitoDomainUrl, jwksUrl, logoutUrl, clientId, ...(ecs ? { ecs } : {}) };
}

/** Strings from shinykit.yaml that ShinyProxy would evaluate must be plain text. */
function checkAppStrings(app: AppConfig): string[] {
  const problems: string[] = [];
  const where = `app ${app.id}`;
  if (app.displayName && EXPRESSION.test(app.displayName)) problems.push(`${where} displayName: ${expressionHint(app.displayName)}`);
  if (app.description && EXPRESSION.test(app.description)) problems.push(`${where} description: ${expressionHint(app.description)}`);
  for (const [name, value] of Object.entries(app.env ?? {})) {
    if (!ENV_NAME.test(name)) {
      problems.push(`${where} env ${JSON.stringify(name)}: expected a variable name of letters, digits and "_", not starting with a digit`);
    }
    if (EXPRESSION.test(value)) problems.push(`${where} env ${name}: ${expressionHint(value)}`);
  }
  return problems;
}

function expressionHint(value: string): string {
  return (
    `${JSON.stringify(value)} contains "\${" or "#{", which ShinyProxy would resolve against its own environment ` +
    '(that is how it could read the client secret) or evaluate as an expression; use plain text'
  );
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * Plausible stand-in outputs for rendering before anything is deployed (`plan`):
 * documentation addresses (203.0.113.0/24, example account 123456789012), never real ones.
 */
export function placeholderOutputs(cfg: Config): Record<string, string> {
  const region = cfg.region ?? 'eu-west-1';
  const siteHostname = cfg.domain ?? (cfg.tls.sslip ? '203.0.113.10.sslip.io' : '203.0.113.10');
  // A stand-in StackId (all-zero first group) for a derived prefix: the real one exists only after the first deploy.
  const exampleDataStackId = `arn:aws:cloudformation:${region}:123456789012:stack/${cfg.name}-data/00000000-0000-1000-8000-000000000000`;
  const cognitoDomainUrl = `https://${cognitoDomainPrefix(cfg, exampleDataStackId)}.auth.${region}.amazoncognito.com`;
  const clientId = 'exampleclientid0000000000';
  const poolId = `${region}_EXAMPLE00`;
  const registry = `123456789012.dkr.ecr.${region}.amazonaws.com`;
  const outputs: Record<string, string> = {
    [OutputKeys.UserPoolId]: poolId,
    [OutputKeys.UserPoolClientId]: clientId,
    [OutputKeys.CognitoDomainUrl]: cognitoDomainUrl,
    [OutputKeys.JwksUrl]: `https://cognito-idp.${region}.amazonaws.com/${poolId}/.well-known/jwks.json`,
    // Shaped exactly as the data stack writes them: no trailing slash, logout_uri as the sign-out URL.
    [OutputKeys.LogoutUrl]: `${cognitoDomainUrl}/logout?client_id=${clientId}&logout_uri=https://${siteHostname}`,
    [OutputKeys.SiteHostname]: siteHostname,
    [OutputKeys.SiteUrl]: `https://${siteHostname}`,
    [OutputKeys.HostPublicIp]: '203.0.113.10',
    [OutputKeys.HostInstanceId]: 'i-0123456789abcdef0',
    [OutputKeys.Region]: region,
  };
  for (const app of cfg.apps) outputs[repositoryOutputKey(app)] = `${registry}/${repositoryName(cfg, app)}`;
  Object.assign(outputs, placeholderEcsOutputs(cfg));
  return outputs;
}

/** Stand-in image references (by an all-zero digest) for every app, to pair with `placeholderOutputs`. */
export function placeholderImages(cfg: Config, outputs: Readonly<Record<string, string>> = placeholderOutputs(cfg)): Record<string, string> {
  const zero = `sha256:${'0'.repeat(64)}`;
  return Object.fromEntries(cfg.apps.map((app) => [app.id, `${outputs[repositoryOutputKey(app)]}@${zero}`]));
}
