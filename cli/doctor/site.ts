/**
 * Network probes of the live site: name resolution, the TLS certificate, and
 * the login redirect chain. `connect` lets the caller reach the site at another
 * address (a tunnel, a test server) while TLS SNI, certificate verification and
 * the Host header still use the site's real hostname.
 */
import { lookup } from 'node:dns/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { checkServerIdentity, connect as tlsConnect } from 'node:tls';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** The addresses the system resolver (what a browser uses) returns for a name. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true })).map((a) => a.address);

/** `host:port` → Endpoint; a usage problem is reported by the caller. */
export function parseEndpoint(value: string): Endpoint | undefined {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return undefined;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export interface CertificateProbe {
  /** Trusted by this machine's CA store and valid for the hostname. */
  readonly trusted: boolean;
  /** Why not, as OpenSSL says it (e.g. SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED). */
  readonly error?: string;
  readonly validTo?: Date;
  readonly validFrom?: Date;
  readonly issuer?: string;
  /** The certificate's subjectAltName, as Node prints it (`DNS:a, IP Address:1.2.3.4`). */
  readonly names?: string;
}

export function probeCertificate(hostname: string, via: Endpoint, timeoutMs = 10_000): Promise<CertificateProbe> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: via.host,
      port: via.port,
      // SNI carries names only (RFC 6066): none for an IP site. The identity check is always
      // against the site (name or IP SAN), whichever address `via` reaches it at.
      ...(isIP(hostname) ? {} : { servername: hostname }),
      checkServerIdentity: (_host, cert) => checkServerIdentity(hostname, cert),
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS answer from ${via.host}:${via.port} within ${timeoutMs / 1000}s`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate();
      const issuer = cert.issuer ? (cert.issuer.O ?? cert.issuer.CN) : undefined;
      resolve({
        trusted: socket.authorized,
        error: socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown'),
        validTo: cert.valid_to ? new Date(cert.valid_to) : undefined,
        validFrom: cert.valid_from ? new Date(cert.valid_from) : undefined,
        issuer: Array.isArray(issuer) ? issuer.join(', ') : issuer,
        names: cert.subjectaltname,
      });
      socket.end();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
}

/**
 * GETs `url` and follows redirects while they stay on `hostname`; returns every
 * hop and the first Location that leaves the site (where the browser would go next).
 * The certificate is not verified here (probeCertificate reports on it), so the
 * redirect can be checked even while the host still serves its self-signed fallback.
 */
export async function followSiteRedirects(
  url: string,
  hostname: string,
  via: Endpoint | undefined,
  maxHops = 6,
): Promise<{ hops: Hop[]; leavesTo?: URL }> {
  const hops: Hop[] = [];
  let current = new URL(url);
  for (let i = 0; i < maxHops; i++) {
    const res = await get(current, hostname, via);
    hops.push({ url: current.href, status: res.status, location: res.location });
    if (res.status < 300 || res.status >= 400 || !res.location) return { hops };
    const next = new URL(res.location, current);
    // Leaving the site, or a downgrade to http:// on it, is where the finding is.
    if (next.hostname !== hostname || next.protocol !== 'https:') return { hops, leavesTo: next };
    current = next;
  }
  return { hops };
}

function get(url: URL, hostname: string, via: Endpoint | undefined, timeoutMs = 10_000): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: via?.host ?? url.hostname,
        port: via?.port ?? (url.port ? Number(url.port) : 443),
        ...(isIP(hostname) ? {} : { servername: hostname }),
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: { Host: hostname, 'User-Agent': 'shinykit-doctor', Accept: 'text/html' },
        rejectUnauthorized: false,
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        const location = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: Array.isArray(location) ? location[0] : location });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no HTTP answer from ${url.href} within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end();
  });
}
