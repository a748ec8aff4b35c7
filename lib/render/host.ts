/**
 * Facts about the host that the rendered files and the host bootstrap (issue 3)
 * both rely on (COMMON brief, "Host facts"). Kept in one place so a path cannot
 * drift between what `render` writes and what the host installs.
 */

/** nginx reads the snippet from conf.d; `render --out` mirrors the layout below `nginx/`. */
export const NGINX_SNIPPET_PATH = '/etc/nginx/conf.d/shinyproxy.conf';
/** Webroot lego writes HTTP-01 challenge files to (shinykit-tls --http.webroot). */
export const ACME_WEBROOT = '/var/www/acme';
/**
 * Where shinykit-tls puts what nginx serves: the certificate (lego's, or the self-signed
 * placeholder) and hsts.conf. One fixed directory, whatever the site's name, so the snippet
 * never changes when the certificate does.
 */
export const TLS_DIR = '/etc/shinykit/tls';
export const SHINYPROXY_CONFIG_PATH = '/etc/shinyproxy/application.yml';
export const SHINYPROXY_BIND_ADDRESS = '127.0.0.1';
export const SHINYPROXY_PORT = 8080;
export const DOCKER_SOCKET_URL = 'unix:///var/run/docker.sock';
export const CONTAINER_LOG_PATH = '/var/log/shinyproxy/containers';
/** The host puts the Cognito client secret into ShinyProxy's environment under this name. */
export const CLIENT_SECRET_ENV = 'SHINYKIT_COGNITO_CLIENT_SECRET';
/** Host ports ShinyProxy publishes app containers on (127.0.0.1 only). */
export const APP_PORT_RANGE = { start: 20000, max: 20999 } as const;

/** The files shinykit-tls maintains in TLS_DIR. hsts*.conf is a glob: nginx accepts zero matches. */
export const TLS_FILES = {
  fullchain: `${TLS_DIR}/fullchain.pem`,
  privkey: `${TLS_DIR}/privkey.pem`,
  hstsInclude: `${TLS_DIR}/hsts*.conf`,
} as const;
/**
 * Each app's resolved secrets on the host (Docker backend): `<dir>/<app id>.env`, written by
 * shinykit-apply and named by the app's `container-env-file`. ShinyProxy itself reads the file
 * (containerproxy's buildEnv, java.util.Properties) each time it starts a container, as user
 * shinyproxy; so the files are that user's, mode 0600, in a directory only root and the
 * shinyproxy group can enter. /run is a tmpfs: the values never land on the disk.
 */
export const APP_ENV_DIR = '/run/shinykit-app-env';
/** The top-level application.yml key carrying the secret references (never values) for shinykit-apply; ShinyProxy ignores it. */
export const APP_SECRETS_KEY = 'shinykit';
