/**
 * ShinyProxy's application.yml, built as data and serialised with `yaml`.
 *
 * Every key is one ShinyProxy (containerproxy, Spring Boot) reads, spelled as
 * it reads it. Sources: the containerproxy Java sources (OpenIDConfiguration /
 * OpenIDAuthenticationBackend for `proxy.openid.*`, AbstractDockerBackend /
 * DockerEngineBackend for `proxy.docker.*`, ShinyProxyApplication for
 * `server.secure-cookies` and `proxy.same-site-cookie`) and the configuration
 * reference at shinyproxy.io. Non-obvious keys carry a comment in the output.
 */
import { Document, isMap, isScalar, type YAMLMap } from 'yaml';
import { appPort, DEFAULT_APP_MEMORY, loginIdentityProvider, type AppConfig, type Config } from '../config/index.js';
import { headerLines } from './header.js';
import {
  APP_PORT_RANGE,
  CLIENT_SECRET_ENV,
  CONTAINER_LOG_PATH,
  DOCKER_SOCKET_URL,
  SHINYPROXY_BIND_ADDRESS,
  SHINYPROXY_CONFIG_PATH,
  SHINYPROXY_PORT,
} from './host.js';
import type { RenderValues } from './inputs.js';
import { ECS_KEY_COMMENTS, ecsProxyBlock, ecsSpecFields, type EcsValues } from './ecs.js';
import { STORAGE_COMMENT, addEcsStorageToSpec, addStorageToSpec } from './storage.js';

/** Dash serves under the public path ShinyProxy gives each app instance (DESIGN.md pitfalls). */
export const DASH_TARGET_PATH = "#{proxy.getRuntimeValue('SHINYPROXY_PUBLIC_PATH')}";
/** The only `${…}` in the file: Spring resolves it from ShinyProxy's environment at start-up. */
export const CLIENT_SECRET_REFERENCE = `\${${CLIENT_SECRET_ENV}}`;

export const SHINYPROXY_SETTINGS = {
  /** Milliseconds (ShinyProxy's defaults, stated so the file says what runs). */
  heartbeatRate: 10000,
  heartbeatTimeout: 60000,
  /** Lax: the OpenID callback is a top-level redirect from Cognito, which Strict would strip the cookie from. */
  sameSiteCookie: 'Lax',
  scopes: ['openid', 'email'],
  rolesClaim: 'cognito:groups',
  usernameAttribute: 'email',
} as const;

type Spec = Record<string, unknown>;

export function buildApplication(cfg: Config, values: RenderValues, images: Readonly<Record<string, string>>): Record<string, unknown> {
  const s = SHINYPROXY_SETTINGS;
  const proxy: Record<string, unknown> = {
    title: cfg.shinyproxy.title,
    'bind-address': SHINYPROXY_BIND_ADDRESS,
    port: SHINYPROXY_PORT,
    authentication: 'openid',
    ...(cfg.shinyproxy.adminGroups.length > 0 ? { 'admin-groups': [...cfg.shinyproxy.adminGroups] } : {}),
    'heartbeat-rate': s.heartbeatRate,
    'heartbeat-timeout': s.heartbeatTimeout,
    // With ECS the app logs go to CloudWatch (proxy.ecs), not to files on the host.
    ...(values.ecs ? {} : { 'container-log-path': CONTAINER_LOG_PATH }),
    'same-site-cookie': s.sameSiteCookie,
    'container-backend': values.ecs ? 'ecs' : 'docker',
    openid: {
      'auth-url': `${values.cognitoDomainUrl}/oauth2/authorize${directLoginQuery(cfg)}`,
      'token-url': `${values.cognitoDomainUrl}/oauth2/token`,
      'jwks-url': values.jwksUrl,
      'logout-url': values.logoutUrl,
      'client-id': values.clientId,
      'client-secret': CLIENT_SECRET_REFERENCE,
      scopes: [...s.scopes],
      'roles-claim': s.rolesClaim,
      'username-attribute': s.usernameAttribute,
      'with-pkce': true,
      'enforce-https-redirect-uri': true,
    },
    ...(values.ecs
      ? { ecs: ecsProxyBlock(values.ecs) }
      : {
          docker: {
            url: DOCKER_SOCKET_URL,
            'port-range-start': APP_PORT_RANGE.start,
            'port-range-max': APP_PORT_RANGE.max,
            'target-bind-ip': SHINYPROXY_BIND_ADDRESS,
            'image-pull-policy': 'IfNotPresent',
          },
        }),
    specs: cfg.apps.map((app) => buildSpec(app, images[app.id]!, values.ecs ? ecsSpecFields(cfg, app, values.ecs) : undefined, values.ecs)),
  };
  return {
    proxy,
    server: {
      'forward-headers-strategy': 'native',
      'secure-cookies': true,
    },
    management: { server: { address: SHINYPROXY_BIND_ADDRESS } },
  };
}

/** `ecs`: the spec's ECS fields (lib/render/ecs.ts), which replace the Docker limits. */
export function buildSpec(app: AppConfig, image: string, ecs?: Record<string, unknown>, ecsValues?: EcsValues): Spec {
  const spec: Spec = {
    id: app.id,
    'display-name': app.displayName ?? app.id,
  };
  if (app.description !== undefined) spec.description = app.description;
  spec['container-image'] = image;
  spec.port = appPort(app);
  spec['access-groups'] = [...app.groups];
  if (ecs) {
    // The ECS backend refuses limits; it sizes the Fargate task from the requests.
    Object.assign(spec, ecs);
  } else {
    // Every container gets a limit, so one app cannot take the memory ShinyProxy and the others need.
    spec['container-memory-limit'] = app.memory ?? DEFAULT_APP_MEMORY;
    if (app.cpus !== undefined) spec['container-cpu-limit'] = app.cpus;
  }
  if (app.seats !== undefined) spec['minimum-seats-available'] = app.seats;
  if (app.env && Object.keys(app.env).length > 0) spec['container-env'] = { ...app.env };
  if (ecsValues) addEcsStorageToSpec(spec, app, ecsValues);
  else addStorageToSpec(spec, app);
  if (app.kind === 'dash') spec['target-path'] = DASH_TARGET_PATH;
  return spec;
}

/** Comments on keys whose spelling or purpose is not obvious, keyed by path. */
const KEY_COMMENTS: ReadonlyArray<readonly [readonly string[], string]> = [
  [['proxy', 'openid', 'client-secret'], ` Resolved by Spring from ShinyProxy's environment (${CLIENT_SECRET_ENV}); never written here.`],
  [['proxy', 'openid', 'logout-url'], ' Cognito /logout; logout_uri must equal the app client\'s sign-out URL byte for byte.'],
  [['proxy', 'openid', 'roles-claim'], ' Cognito puts group membership in the ID token\'s cognito:groups claim.'],
  [['proxy', 'openid', 'enforce-https-redirect-uri'], ' ShinyProxy >= 3.2: the redirect URI is https:// even though nginx talks http to us.'],
  [['proxy', 'docker', 'target-bind-ip'], ' Publish app container ports on 127.0.0.1 only (Docker binds 0.0.0.0 otherwise).'],
  [['proxy', 'docker', 'image-pull-policy'], ' The host pulls images with the ECR credential helper before a config goes live.'],
  [['server', 'forward-headers-strategy'], ' Trust nginx\'s X-Forwarded-* headers (Spring Boot).'],
  [['management', 'server', 'address'], ' Spring Boot actuator (port 9090) on loopback only.'],
];

export function renderApplication(cfg: Config, values: RenderValues, images: Readonly<Record<string, string>>, source: string): string {
  // YAML 1.1 quoting: ShinyProxy's parser (SnakeYAML) reads yes/no/on/off as booleans, so such strings must be quoted.
  const doc = new Document(buildApplication(cfg, values, images), { version: '1.1' });
  // yaml prefixes each comment line with "#".
  doc.commentBefore = headerLines(source, SHINYPROXY_CONFIG_PATH).map((l) => ` ${l}`).join('\n');
  for (const [path, comment] of [...KEY_COMMENTS, ...ECS_KEY_COMMENTS]) annotate(doc, path, comment);
  for (const [i, app] of cfg.apps.entries()) {
    if (app.kind === 'dash') annotate(doc, ['proxy', 'specs', i, 'target-path'], ' Dash must serve under SHINYPROXY_PUBLIC_PATH (requests/routes_pathname_prefix).');
    if (app.storage && !values.ecs) annotate(doc, ['proxy', 'specs', i, 'container-volumes'], STORAGE_COMMENT);
  }
  return doc.toString({ lineWidth: 0 });
}

function annotate(doc: Document, path: ReadonlyArray<string | number>, comment: string): void {
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
  if (!isMap(parent)) return;
  const key = path[path.length - 1];
  const pair = (parent as YAMLMap).items.find((it) => isScalar(it.key) && it.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}

/**
 * `?identity_provider=<name>` when the config has exactly one external provider
 * and no local users: Cognito then skips its chooser page and goes straight to
 * the provider. Spring Security builds the authorization request with
 * UriComponentsBuilder.fromUriString(auth-url).queryParam(...), which keeps this
 * query and appends response_type, client_id, state, ... after it.
 * Provider names are [A-Za-z0-9.-] (lib/config/identity-schema.ts), so nothing needs escaping.
 */
export function directLoginQuery(cfg: Config): string {
  const provider = loginIdentityProvider(cfg);
  return provider ? `?identity_provider=${provider}` : '';
}
