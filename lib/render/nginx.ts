/**
 * The nginx `conf.d` snippet: port 80 for ACME challenges and the https
 * redirect, port 443 terminating TLS in front of ShinyProxy on 127.0.0.1:8080.
 * HTTP/2 is switched on the way the host's nginx wants it: `listen … ssl http2` up to
 * 1.25.0 (Debian 12's 1.22 in the tests), `http2 on;` from 1.25.1, which deprecates the
 * listen parameter (nginx CHANGES, 1.25.1: "the 'http2' parameter of the 'listen'
 * directive is deprecated").
 */
import { hashComment, headerLines } from './header.js';
import {
  ACME_WEBROOT,
  NGINX_SNIPPET_PATH,
  SHINYPROXY_BIND_ADDRESS,
  SHINYPROXY_PORT,
  TLS_FILES,
} from './host.js';
import type { RenderValues } from './inputs.js';
import { compareVersions } from '../config/index.js';

/** The first nginx release with the `http2` directive. */
export const NGINX_HTTP2_DIRECTIVE_SINCE = '1.25.1';

/** The listen line(s) for port 443 for an nginx version (unknown: the syntax every version takes). */
export function httpsListen(nginxVersion?: string): string[] {
  return nginxVersion && /^\d+\.\d+\.\d+$/.test(nginxVersion) && compareVersions(nginxVersion, NGINX_HTTP2_DIRECTIVE_SINCE) >= 0
    ? ['    listen 443 ssl;', '    http2 on;']
    : ['    listen 443 ssl http2;'];
}

/** Settings of the snippet that are not per deployment; exported so tests assert against them. */
export const NGINX_SETTINGS = {
  /** ECDHE with AEAD ciphers only (TLS 1.2); TLS 1.3 suites are OpenSSL's defaults, which are all strong. */
  ciphers: [
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ],
  clientMaxBodySize: '100m',
  /** Idle Shiny sessions keep a websocket open for a long time; nginx's default is 60 s. */
  proxyTimeoutSeconds: 3600,
} as const;

export function renderNginx(values: RenderValues, source: string, nginxVersion?: string): string {
  const host = values.siteHostname;
  const s = NGINX_SETTINGS;
  const upstream = 'http://shinykit_shinyproxy';
  const lines = [
    hashComment(headerLines(source, NGINX_SNIPPET_PATH)),
    '',
    '# Websocket upgrade: pass "Connection: upgrade" when the client asks for one, otherwise an empty',
    '# Connection header so the kept-alive upstream connections below are reused.',
    'map $http_upgrade $connection_upgrade {',
    '    default upgrade;',
    "    ''      '';",
    '}',
    '',
    'upstream shinykit_shinyproxy {',
    `    server ${SHINYPROXY_BIND_ADDRESS}:${SHINYPROXY_PORT};`,
    '    keepalive 32;',
    '}',
    '',
    'server {',
    '    listen 80;',
    `    server_name ${host};`,
    '    server_tokens off;',
    '',
    "    # Let's Encrypt HTTP-01 challenges (lego --http.webroot, run by shinykit-tls).",
    '    location ^~ /.well-known/acme-challenge/ {',
    `        root ${ACME_WEBROOT};`,
    '        default_type text/plain;',
    '    }',
    '',
    '    # Everything else moves to https, keeping path and query ($request_uri holds both).',
    '    location / {',
    `        return 301 https://${host}$request_uri;`,
    '    }',
    '}',
    '',
    'server {',
    ...httpsListen(nginxVersion),
    `    server_name ${host};`,
    '    server_tokens off;',
    '',
    '    # Maintained by shinykit-tls: the CA\'s certificate, or a self-signed placeholder until it answers.',
    `    ssl_certificate ${TLS_FILES.fullchain};`,
    `    ssl_certificate_key ${TLS_FILES.privkey};`,
    '    ssl_protocols TLSv1.2 TLSv1.3;',
    `    ssl_ciphers ${s.ciphers.join(':')};`,
    '    ssl_prefer_server_ciphers off;',
    // A zone name of our own, so it cannot clash with a `shared:SSL` zone in the distribution's nginx.conf.
    '    ssl_session_cache shared:shinykit_tls:10m;',
    '    ssl_session_timeout 1d;',
    '    ssl_session_tickets off;',
    '',
    // No ssl_stapling: Let's Encrypt ended OCSP in 2025, so stapling only logged warnings.
    '    # ShinyProxy (Spring Security) sends its own copies of these; keep exactly one of each.',
    '    proxy_hide_header Strict-Transport-Security;',
    '    proxy_hide_header X-Content-Type-Options;',
    '    # HSTS comes from shinykit-tls: none while the placeholder is served, a short max-age while',
    '    # a trusted certificate is new, the long one once it has been in place for a week.',
    `    include ${TLS_FILES.hstsInclude};`,
    '    add_header X-Content-Type-Options nosniff always;',
    '',
    `    client_max_body_size ${s.clientMaxBodySize};`,
    '',
    '    location / {',
    `        proxy_pass ${upstream};`,
    '        proxy_http_version 1.1;',
    '        proxy_set_header Upgrade $http_upgrade;',
    '        proxy_set_header Connection $connection_upgrade;',
    '        proxy_set_header Host $host;',
    '        proxy_set_header X-Real-IP $remote_addr;',
    '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '        # TLS ends here: ShinyProxy builds its https:// OpenID redirect URI from these.',
    '        proxy_set_header X-Forwarded-Proto https;',
    '        proxy_set_header X-Forwarded-Host $host;',
    '        proxy_set_header X-Forwarded-Port 443;',
    '        # Apps may trust the identity headers ShinyProxy adds; never pass a client\'s own copies on.',
    '        proxy_set_header X-SP-UserId "";',
    '        proxy_set_header X-SP-UserGroups "";',
    '        # Stream Shiny/Dash responses as they come; long timeouts keep idle sessions open.',
    '        proxy_buffering off;',
    `        proxy_read_timeout ${s.proxyTimeoutSeconds}s;`,
    `        proxy_send_timeout ${s.proxyTimeoutSeconds}s;`,
    '    }',
    '}',
    '',
  ];
  return lines.join('\n');
}
