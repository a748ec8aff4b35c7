import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../cli/push/classify.js';
import { parseRegistryOverride, decodeAuthorizationToken, overrideRepository } from '../../../cli/push/registry.js';

const kind = (output: string, step: 'login' | 'build' | 'push' = 'push', builder = 'docker') =>
  classifyFailure({ builder, step, registry: 'r.example', output }).kind;

describe('builder failure classification', () => {
  it('recognises a docker engine that is not running', () => {
    expect(kind('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 'build')).toBe('engine-down');
    expect(kind('Error: Cannot connect to Podman. Please verify your connection to the Linux system', 'build', 'podman')).toBe('engine-down');
  });

  it('recognises authentication failures from docker, podman and ECR', () => {
    expect(kind('Error: logging into "127.0.0.1:5000": invalid username/password', 'login', 'podman')).toBe('auth');
    expect(kind('unauthorized: authentication required')).toBe('auth');
    expect(kind('no basic auth credentials')).toBe('auth');
    expect(kind('denied: Your authorization token has expired. Reauthenticate and try again.')).toBe('auth');
    expect(kind('received unexpected HTTP status: 401 Unauthorized', 'push', 'podman')).toBe('auth');
  });

  it('recognises a missing repository', () => {
    expect(kind("name unknown: The repository with name 'analytics/x' does not exist in the registry with id '123'")).toBe('repository-missing');
  });

  it('recognises network failures and points plain-HTTP registries at http://', () => {
    expect(kind('dial tcp 127.0.0.1:5000: connect: connection refused')).toBe('network');
    const c = classifyFailure({ builder: 'podman', step: 'push', output: 'http: server gave HTTP response to HTTPS client' });
    expect(c.kind).toBe('network');
    expect(c.hint).toContain('http://host:port');
  });

  it('reads a build step failure as a build failure, even when a RUN step mentions a network or missing command', () => {
    expect(kind('/bin/sh: 1: Rscript: command not found', 'build')).toBe('build');
    const c = classifyFailure({ builder: 'docker', step: 'build', output: 'pip: connection refused' });
    expect(c.kind).toBe('build');
    expect(c.message).toContain('network error');
  });

  it('only our exec wrapper means "not installed"', () => {
    const c = classifyFailure({ builder: 'podman', step: 'login', output: 'podman is not installed or not on PATH' });
    expect(c).toMatchObject({ kind: 'not-installed', message: 'podman is not installed or not on PATH' });
  });
});

describe('registry override and ECR token parsing', () => {
  it('parses host:port, a path prefix, and http:// as the only plain-HTTP form', () => {
    expect(parseRegistryOverride('127.0.0.1:5000', '--registry')).toEqual({ host: '127.0.0.1:5000', prefix: '', insecure: false });
    expect(parseRegistryOverride('http://127.0.0.1:5000/', '--registry')).toEqual({ host: '127.0.0.1:5000', prefix: '', insecure: true });
    const m = parseRegistryOverride('https://mirror.example.org/team/x', 'SHINYKIT_REGISTRY');
    expect(overrideRepository(m, 'analytics/shiny-demo')).toBe('mirror.example.org/team/x/analytics/shiny-demo');
  });

  it('rejects what is not a registry address, naming the source', () => {
    expect(() => parseRegistryOverride('ftp://x', 'SHINYKIT_REGISTRY')).toThrow('SHINYKIT_REGISTRY "ftp://x" is not a registry address');
    expect(() => parseRegistryOverride('host with space', '--registry')).toThrow(/--registry/);
  });

  it('decodes AWS:<password> tokens and rejects malformed ones', () => {
    expect(decodeAuthorizationToken(Buffer.from('AWS:pa:ss').toString('base64'))).toEqual({ username: 'AWS', password: 'pa:ss' });
    expect(() => decodeAuthorizationToken(Buffer.from('nocolon').toString('base64'))).toThrow(/unexpected format/);
  });
});
