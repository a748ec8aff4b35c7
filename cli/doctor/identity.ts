/**
 * Doctor checks for the federated identity providers in cognito.identityProviders:
 * each OIDC issuer publishes a discovery document that names the same issuer, and
 * each SAML metadata URL serves IdP metadata. Cognito fetches both when a user
 * signs in, so an unreachable or mismatched one means nobody from that provider
 * can log in. Google's endpoints are Cognito's own concern and are not probed.
 */
import type { Config, IdentityProviderConfig } from '../../lib/config/index.js';
import type { Check } from './checks.js';

export interface HttpText {
  readonly status: number;
  readonly body: string;
}

/** GET a URL as text. Injected so tests can answer from a local server. */
export type HttpGet = (url: string) => Promise<HttpText>;

const MAX_BODY = 2 * 1024 * 1024;

/** The real thing: Node's fetch, redirects followed, 10 s timeout. */
export const fetchText: HttpGet = async (url) => {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json, application/xml, text/xml, */*' } });
  const body = await res.text();
  return { status: res.status, body: body.length > MAX_BODY ? body.slice(0, MAX_BODY) : body };
};

/** `<issuer>/.well-known/openid-configuration`, as Cognito builds it. */
export function discoveryUrl(issuerUrl: string): string {
  return `${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

const ok = (detail: string) => ({ status: 'ok' as const, detail });
const fail = (detail: string, fix: string) => ({ status: 'fail' as const, detail, fix });

/** One check per OIDC or SAML provider (none without providers, so other reports are unchanged). */
export function identityChecks(config: Pick<Config, 'cognito'>, get: HttpGet = fetchText): Check[] {
  return config.cognito.identityProviders.flatMap((p, i): Check[] => {
    if (p.type === 'oidc') return [oidcCheck(p, i, get)];
    if (p.type === 'saml') return [samlCheck(p, i, get)];
    return [];
  });
}

function oidcCheck(p: Extract<IdentityProviderConfig, { type: 'oidc' }>, i: number, get: HttpGet): Check {
  const where = `cognito.identityProviders[${i}].issuerUrl`;
  return {
    id: `idp-${p.name}`,
    title: `identity provider ${p.name} (OIDC) reachable`,
    async run() {
      const url = discoveryUrl(p.issuerUrl);
      const res = await reach(url, get);
      if ('error' in res) return fail(`${url}: ${res.error}`, `check ${where} and that this machine can reach it`);
      if (res.status !== 200) return fail(`${url} answered HTTP ${res.status}`, `set ${where} to the provider's issuer (the URL its discovery document lives under)`);
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse(res.body) as Record<string, unknown>;
      } catch {
        return fail(`${url} did not return JSON`, `set ${where} to the provider's issuer, not its login page`);
      }
      if (doc.issuer !== p.issuerUrl) {
        return fail(
          `the discovery document names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(p.issuerUrl)}`,
          `set ${where} to exactly ${JSON.stringify(doc.issuer)} (Cognito compares the two byte for byte, trailing slash included)`,
        );
      }
      const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter((k) => typeof doc[k] !== 'string');
      if (missing.length > 0) return fail(`the discovery document lacks ${missing.join(', ')}`, 'check that the provider is an OpenID Connect provider');
      return ok(`discovery document at ${url} names this issuer`);
    },
  };
}

function samlCheck(p: Extract<IdentityProviderConfig, { type: 'saml' }>, i: number, get: HttpGet): Check {
  const where = `cognito.identityProviders[${i}].metadataUrl`;
  return {
    id: `idp-${p.name}`,
    title: `identity provider ${p.name} (SAML) metadata reachable`,
    async run() {
      if (!p.metadataUrl) return { status: 'skip', detail: `metadata comes from ${p.metadataFile}, embedded when the stacks are deployed` };
      const res = await reach(p.metadataUrl, get);
      if ('error' in res) return fail(`${p.metadataUrl}: ${res.error}`, `check ${where} and that this machine can reach it`);
      if (res.status !== 200) return fail(`${p.metadataUrl} answered HTTP ${res.status}`, `set ${where} to the IdP's federation metadata URL`);
      if (!/<([A-Za-z0-9_]+:)?EntityDescriptor[\s>]/.test(res.body)) {
        return fail(`${p.metadataUrl} did not return SAML metadata (no EntityDescriptor)`, `set ${where} to the IdP's federation metadata URL, not its login page`);
      }
      if (!/<([A-Za-z0-9_]+:)?IDPSSODescriptor[\s>]/.test(res.body)) {
        return fail(`${p.metadataUrl} describes no identity provider (no IDPSSODescriptor)`, `use the metadata of the IdP, not of a service provider`);
      }
      return ok(`IdP metadata at ${p.metadataUrl}`);
    },
  };
}

async function reach(url: string, get: HttpGet): Promise<HttpText | { error: string }> {
  try {
    return await get(url);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return { error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}
