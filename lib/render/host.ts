/**
 * Facts about the host that the rendered files and the host bootstrap (issue 3)
 * both rely on (COMMON brief, "Host facts"). Kept in one place so a path cannot
 * drift between what `render` writes and what the host installs.
 */

/** nginx reads the snippet from conf.d; `render --out` mirrors the layout below `nginx/`. */
export const NGINX_SNIPPET_PATH = '/etc/nginx/conf.d/shinyproxy.conf';
/** certbot's webroot for HTTP-01 challenges. */
export const ACME_WEBROOT = '/var/www/certbot';
/** certbot's live directory; the self-signed fallback is written to the same paths. */
export const CERT_LIVE_DIR = '/etc/letsencrypt/live';
export const SHINYPROXY_CONFIG_PATH = '/etc/shinyproxy/application.yml';
export const SHINYPROXY_BIND_ADDRESS = '127.0.0.1';
export const SHINYPROXY_PORT = 8080;
export const DOCKER_SOCKET_URL = 'unix:///var/run/docker.sock';
export const CONTAINER_LOG_PATH = '/var/log/shinyproxy/containers';
/** The host puts the Cognito client secret into ShinyProxy's environment under this name. */
export const CLIENT_SECRET_ENV = 'SHINYKIT_COGNITO_CLIENT_SECRET';
/** Host ports ShinyProxy publishes app containers on (127.0.0.1 only). */
export const APP_PORT_RANGE = { start: 20000, max: 20999 } as const;

/** certbot's layout for a hostname: /etc/letsencrypt/live/<host>/{fullchain,privkey,chain}.pem */
export function certificatePaths(hostname: string): { fullchain: string; privkey: string; chain: string } {
  const dir = `${CERT_LIVE_DIR}/${hostname}`;
  return { fullchain: `${dir}/fullchain.pem`, privkey: `${dir}/privkey.pem`, chain: `${dir}/chain.pem` };
}
