/**
 * Turns what docker/podman print when they fail into one sentence and a hint
 * a user can act on. The patterns are the engines' own wording (Docker CLI,
 * BuildKit, containers/image as used by podman, distribution's error codes).
 */
import { WorkError } from '../lib/errors.js';

export type FailureKind = 'not-installed' | 'engine-down' | 'auth' | 'repository-missing' | 'network' | 'build' | 'unknown';

export interface Classified {
  readonly kind: FailureKind;
  readonly message: string;
  readonly hint?: string;
}

const RULES: ReadonlyArray<{ kind: FailureKind; test: RegExp }> = [
  // Only our exec wrapper's wording: a RUN step's "command not found" is a build failure, not a missing builder.
  { kind: 'not-installed', test: /is not installed or not on PATH/ },
  {
    kind: 'engine-down',
    test: /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect|docker daemon is not running|Cannot connect to Podman|unable to connect to Podman socket|podman machine/i,
  },
  {
    kind: 'auth',
    test: /\b401\b|unauthorized|authentication required|invalid username\/password|no basic auth credentials|incorrect username or password|authorization token has expired|denied: |requested access to the resource is denied|\b403\b.*forbidden/i,
  },
  {
    kind: 'repository-missing',
    test: /name unknown|NAME_UNKNOWN|repository with name .* does not exist|repository .* not found|RepositoryNotFoundException/i,
  },
  {
    kind: 'network',
    test: /connection refused|no such host|i\/o timeout|TLS handshake timeout|dial tcp|network is unreachable|server gave HTTP response to HTTPS client|x509:|tls: |connection reset by peer|EAI_AGAIN|ECONNREFUSED|ENOTFOUND|ETIMEDOUT/i,
  },
];

/**
 * Classifies a failed step from its output. `step` says what was running so
 * an unrecognised failure during a build reads as a build failure.
 */
export function classifyFailure(opts: { builder: string; step: 'detect' | 'login' | 'build' | 'push'; registry?: string; output: string }): Classified {
  const { builder, step, output } = opts;
  const registry = opts.registry ?? 'the registry';
  const found = RULES.find((r) => r.test.test(output))?.kind;
  // During a build, network or auth trouble is usually a base image or a package download, not our registry.
  const kind = step === 'build' && found !== 'not-installed' && found !== 'engine-down' ? 'build' : (found ?? 'unknown');
  switch (kind) {
    case 'not-installed':
      return {
        kind,
        message: `${builder} is not installed or not on PATH`,
        hint: `install ${builder === 'docker' ? 'Docker (with buildx)' : 'Podman'}, or choose the other builder with --builder`,
      };
    case 'engine-down':
      return {
        kind,
        message: `${builder} is installed but its engine is not running`,
        hint: builder === 'docker' ? 'start Docker (Docker Desktop, or `sudo systemctl start docker`), or use --builder podman' : 'start it (`podman machine start` on macOS/Windows), or use --builder docker',
      };
    case 'auth':
      return {
        kind,
        message: `${registry} rejected the login or the push (authentication failed)`,
        hint: 'check that your AWS credentials may push to this repository (ecr:GetAuthorizationToken, ecr:*Layer*, ecr:PutImage); with --registry, that the registry accepts the ECR token for user AWS',
      };
    case 'repository-missing':
      return {
        kind,
        message: `the repository does not exist in ${registry}`,
        hint: 'deploy the stacks (`npx shinykit deploy`) so every app has its ECR repository, and check --region/--profile',
      };
    case 'network':
      return {
        kind,
        message: `could not reach ${registry} (network error)`,
        hint: /server gave HTTP response to HTTPS client/i.test(output)
          ? 'the registry speaks plain HTTP: write it as http://host:port in --registry/SHINYKIT_REGISTRY'
          : 'check the network connection, proxy settings and the registry address',
      };
    case 'build':
      return {
        kind,
        message: `the ${builder} build failed${found === 'network' ? ' (network error: a base image or package download?)' : found === 'auth' ? ' (access denied pulling a base image?)' : ''}`,
        hint: 'see the build log above; fix the Dockerfile or the app, then run push again',
      };
    default:
      return { kind, message: `${builder} ${step} failed` };
  }
}

/** A failed fetch() to a registry, described by its cause (refused, DNS, TLS, timeout). */
export function describeHttpFailure(host: string, err: unknown): WorkError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  const timeout = (err as Error).name === 'TimeoutError';
  return new WorkError(`could not reach registry ${host}: ${timeout ? 'timed out' : detail}`, {
    cause: err,
    hint: /SSL|TLS|certificate|EPROTO/i.test(String(detail))
      ? 'if this registry speaks plain HTTP, write it as http://host:port in --registry/SHINYKIT_REGISTRY'
      : 'check that the registry is running and the address in --registry/SHINYKIT_REGISTRY is right',
  });
}
