/**
 * Where images go and how we ask whether a tag is already there.
 *
 * Normally that is the app's ECR repository (URI from the stack output
 * Repository<AppKey>), asked with DescribeImages. A registry override
 * (`--registry` or SHINYKIT_REGISTRY) points pushes at another registry, e.g.
 * a private mirror or a local `docker-registry` in tests; then the registry
 * itself is asked over the Docker Registry HTTP API v2. Either way the
 * credentials are the ECR authorization token (user AWS).
 */
import { DescribeImagesCommand, GetAuthorizationTokenCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { UsageError, WorkError } from '../lib/errors.js';
import { describeHttpFailure } from './classify.js';

export const REGISTRY_ENV = 'SHINYKIT_REGISTRY';

/** A registry override, parsed. */
export interface RegistryOverride {
  /** host[:port], as it appears in image references. */
  readonly host: string;
  /** Optional path prefix inside the registry (`host/mirror` → `mirror`). */
  readonly prefix: string;
  /** Plain HTTP (only when written as http://...): builders need --tls-verify=false or the like. */
  readonly insecure: boolean;
}

/**
 * Parses `host:port`, `host:port/prefix`, `https://host` or `http://host:port`.
 * `http://` is the only way to get plain HTTP, so it is never chosen silently.
 */
export function parseRegistryOverride(value: string, source: string): RegistryOverride {
  const m = /^(?:(https?):\/\/)?([^/\s]+)((?:\/[^/\s]+)*)\/?$/.exec(value.trim());
  const host = m?.[2];
  if (!m || !host || !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host) || /[A-Z]/.test(m[3] ?? '')) {
    throw new UsageError(`${source} "${value}" is not a registry address`, {
      hint: 'use host[:port][/prefix], e.g. registry.example.org or http://127.0.0.1:5000 for a plain-HTTP test registry',
    });
  }
  return { host, prefix: (m[3] ?? '').replace(/^\//, ''), insecure: m[1] === 'http' };
}

/** `<host>/<prefix>/<name>/<app-id>` for an override; the repository path is the ECR name. */
export function overrideRepository(reg: RegistryOverride, repositoryName: string): string {
  return [reg.host, reg.prefix, repositoryName].filter(Boolean).join('/');
}

/** Splits `host/path/to/repo` into the registry host and the repository path. */
export function splitRepository(uri: string): { host: string; path: string } {
  const i = uri.indexOf('/');
  if (i <= 0) throw new UsageError(`"${uri}" is not a repository URI (expected host/name)`);
  return { host: uri.slice(0, i), path: uri.slice(i + 1) };
}

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** GetAuthorizationToken, decoded: the token is base64 of `AWS:<password>`. */
export async function ecrCredentials(ecr: ECRClient): Promise<RegistryCredentials> {
  let token: string | undefined;
  try {
    const res = await ecr.send(new GetAuthorizationTokenCommand({}));
    token = res.authorizationData?.[0]?.authorizationToken;
  } catch (err) {
    throw new WorkError(`could not get an ECR login token: ${(err as Error).name}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check your AWS credentials and region (--profile, --region); the caller needs ecr:GetAuthorizationToken',
    });
  }
  return decodeAuthorizationToken(token);
}

export function decodeAuthorizationToken(token: string | undefined): RegistryCredentials {
  const decoded = token ? Buffer.from(token, 'base64').toString('utf8') : '';
  const i = decoded.indexOf(':');
  if (i <= 0 || i === decoded.length - 1) {
    throw new WorkError('ECR returned an authorization token in an unexpected format (expected base64 of "user:password")');
  }
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

/** The digest of `repositoryName:tag` in ECR, or undefined when the tag is not there. */
export async function ecrImageDigest(ecr: ECRClient, repositoryName: string, tag: string): Promise<string | undefined> {
  try {
    const res = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return res.imageDetails?.[0]?.imageDigest;
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'ImageNotFoundException') return undefined;
    if (name === 'RepositoryNotFoundException') {
      throw new UsageError(`ECR repository ${repositoryName} does not exist`, {
        hint: 'deploy the stacks (`npx shinykit deploy`) so every app in shinykit.yaml has its repository, or check --region/--profile',
      });
    }
    throw new WorkError(`could not ask ECR about ${repositoryName}:${tag}: ${name}: ${(err as Error).message}`, {
      cause: err,
      hint: 'check your AWS credentials and region; the caller needs ecr:DescribeImages',
    });
  }
}

/** Every manifest type a builder may push; a v2 registry answers 404 for a type the client did not accept. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface ManifestQuery {
  readonly registry: RegistryOverride;
  readonly repository: string;
  readonly reference: string;
  readonly credentials: RegistryCredentials;
  readonly timeoutMs?: number;
}

/**
 * HEAD /v2/<repo>/manifests/<ref> with basic auth: the Docker-Content-Digest
 * header, or undefined on 404. 401/403 and network failures are errors a
 * user can act on.
 */
export async function registryManifestDigest(q: ManifestQuery): Promise<string | undefined> {
  const scheme = q.registry.insecure ? 'http' : 'https';
  const url = `${scheme}://${q.registry.host}/v2/${q.repository}/manifests/${encodeURIComponent(q.reference)}`;
  const auth = Buffer.from(`${q.credentials.username}:${q.credentials.password}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_TYPES, Authorization: `Basic ${auth}` },
      signal: AbortSignal.timeout(q.timeoutMs ?? 30_000),
    });
  } catch (err) {
    throw describeHttpFailure(q.registry.host, err);
  }
  if (res.status === 404) return undefined;
  if (res.status === 401 || res.status === 403) {
    throw new WorkError(`registry ${q.registry.host} refused the login (HTTP ${res.status}) while checking ${q.repository}:${q.reference}`, {
      hint: 'the registry must accept the ECR token for user AWS; check the registry credentials or drop --registry/SHINYKIT_REGISTRY to use ECR',
    });
  }
  if (!res.ok) {
    throw new WorkError(`registry ${q.registry.host} answered HTTP ${res.status} for ${q.repository}:${q.reference}`);
  }
  const digest = res.headers.get('docker-content-digest');
  if (!digest) throw new WorkError(`registry ${q.registry.host} did not return a Docker-Content-Digest for ${q.repository}:${q.reference}`);
  return digest;
}
