/**
 * `apps[].storage`: the schema (defaults, refused paths, the kit's own variable, the backends
 * that can provide it) and what it renders into the app's spec for ShinyProxy's Docker
 * backend (a named volume per user or per app, and SHINYKIT_STORAGE_DIR).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_STORAGE_PATH, STORAGE_DIR_ENV, parseConfig } from '../../lib/config/index.js';
import { renderConfigs } from '../../lib/render/index.js';
import { USER_KEY_EXPRESSION, storageVolumeName } from '../../lib/render/storage.js';
import { problemsOf } from '../support/config.js';
import { fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

const BASE = `name: analytics
tls: { email: ops@example.org }
cognito:
  groups:
    users: {}
apps:
  - id: notes
    context: apps/notes
    groups: [users]
`;
const withStorage = (storage: string, extra = '') => `${extra}${BASE}    storage: ${storage}\n`;

type Spec = Record<string, unknown> & { 'container-volumes'?: string[]; 'container-env'?: Record<string, string> };
function specs(shiny?: string, dash?: string): Record<string, Spec> {
  const cfg = fixtureConfig({ shiny, dash });
  const { application } = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' });
  const y = parse(application, { version: '1.1' }) as { proxy: { specs: Spec[] } };
  return Object.fromEntries(y.proxy.specs.map((s) => [s.id as string, s]));
}

describe('apps[].storage schema', () => {
  it('defaults to per-user storage at /home/app/data with no stated size', () => {
    const app = parseConfig(withStorage('{}')).apps[0]!;
    expect(app.storage).toEqual({ scope: 'user', path: DEFAULT_STORAGE_PATH });
    expect(DEFAULT_STORAGE_PATH).toBe('/home/app/data');
  });

  it('accepts shared storage with its own path and size', () => {
    const app = parseConfig(withStorage('{ scope: shared, path: /srv/shared-data, sizeGiB: 5 }')).apps[0]!;
    expect(app.storage).toEqual({ scope: 'shared', path: '/srv/shared-data', sizeGiB: 5 });
  });

  it.each([
    ['data', 'relative path'],
    ['/home/app/../../etc', 'a ".." segment'],
    ['/home/app/./data', 'a "." segment'],
    ['/home/app/data:/etc', 'a ":" (Docker would read a second mount field)'],
    ['"/home/#{proxy.userId}"', 'a SpEL expression'],
    ['"/home/app/my data"', 'a space'],
    ['/home/app/data/', 'a trailing slash'],
    ['/', 'the root'],
  ])('refuses path %s (%s) with the path of the problem', (path, _why) => {
    const problems = problemsOf(withStorage(`{ path: ${path} }`));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe('apps[0].storage.path');
    expect(problems[0]!.message).toMatch(/absolute path inside the container/);
  });

  it.each(['/etc', '/usr/local/data', '/proc', '/var/lib/app'])('refuses %s: an empty volume would hide the image\'s system files', (path) => {
    const problems = problemsOf(withStorage(`{ path: ${path} }`));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['apps[0].storage.path', expect.stringMatching(/outside the image's system directories/)]]);
  });

  it('refuses an unknown scope, a size of 0 and an unknown key, naming the allowed keys', () => {
    expect(problemsOf(withStorage('{ scope: group }'))[0]).toMatchObject({ path: 'apps[0].storage.scope', message: expect.stringMatching(/user, shared/) });
    expect(problemsOf(withStorage('{ sizeGiB: 0 }'))[0]).toMatchObject({ path: 'apps[0].storage.sizeGiB', message: expect.stringMatching(/greater than 0/) });
    expect(problemsOf(withStorage('{ quota: 5 }'))[0]!.message).toMatch(/allowed: scope, path, sizeGiB/);
  });

  it('refuses SHINYKIT_STORAGE_DIR in env: the kit sets it to storage.path', () => {
    const text = `${BASE}    env: { ${STORAGE_DIR_ENV}: /tmp }\n    storage: {}\n`;
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.objectContaining({ path: `apps[0].env.${STORAGE_DIR_ENV}`, message: expect.stringMatching(/set by the kit to storage\.path \(\/home\/app\/data\)/) })]);
  });

  it('refuses per-user storage with seats (pre-started containers are shared and have no user), but allows shared storage', () => {
    expect(problemsOf(`${BASE}    seats: 1\n    storage: {}\n`)).toEqual([
      expect.objectContaining({ path: 'apps[0].storage.scope', message: expect.stringMatching(/cannot be used with seats.*remove seats, or use scope: shared/) }),
    ]);
    expect(parseConfig(`${BASE}    seats: 1\n    storage: { scope: shared }\n`).apps[0]!.storage!.scope).toBe('shared');
  });

  it('leaves SHINYKIT_STORAGE_DIR in env alone for an app without storage', () => {
    expect(parseConfig(`${BASE}    env: { ${STORAGE_DIR_ENV}: /tmp }\n`).apps[0]!.env).toEqual({ [STORAGE_DIR_ENV]: '/tmp' });
  });
});

describe('apps[].storage in application.yml (Docker backend)', () => {
  it('mounts a per-user named volume keyed by the Cognito sub, and tells the app where it is', () => {
    const s = specs('storage: {}')['shiny-demo']!;
    expect(s['container-volumes']).toEqual([`shinykit_shiny-demo_user_#{oidcUser.subject}:/home/app/data`]);
    expect(USER_KEY_EXPRESSION).toBe('#{oidcUser.subject}');
    expect(s['container-env']).toEqual({ [STORAGE_DIR_ENV]: '/home/app/data' });
  });

  it('mounts one volume per app for shared storage, at the configured path, next to the app\'s own env', () => {
    const s = specs(undefined, 'env: { MODE: demo }\nstorage: { scope: shared, path: /srv/data }')['dash-demo']!;
    expect(s['container-volumes']).toEqual(['shinykit_dash-demo_shared:/srv/data']);
    expect(s['container-env']).toEqual({ MODE: 'demo', [STORAGE_DIR_ENV]: '/srv/data' });
  });

  it('renders neither a volume nor the variable for an app without storage', () => {
    const s = specs('storage: {}')['dash-demo']!;
    expect(s['container-volumes']).toBeUndefined();
    expect(s['container-env']).toBeUndefined();
  });

  it('names volumes Docker accepts, distinct per app and scope, with the user key as the only expression', () => {
    // Docker's volume name rule (daemon/names: RestrictedNamePattern), applied to the name with a sample sub.
    const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
    const sub = '8f2a1c3e-5b7d-4e9f-a1b2-c3d4e5f60718';
    const names = [
      storageVolumeName({ id: 'a', storage: { scope: 'user', path: '/d' } }),
      storageVolumeName({ id: 'a', storage: { scope: 'shared', path: '/d' } }),
      storageVolumeName({ id: 'a-user', storage: { scope: 'shared', path: '/d' } }),
      storageVolumeName({ id: 'a-shared', storage: { scope: 'user', path: '/d' } }),
    ].map((n) => n!.replace(USER_KEY_EXPRESSION, sub));
    for (const n of names) expect(n).toMatch(DOCKER_NAME);
    expect(new Set(names).size).toBe(names.length);
    expect(storageVolumeName({ id: 'a' })).toBeUndefined();
  });

  it('comments the volume in application.yml so the file says what it is', () => {
    const cfg = fixtureConfig({ shiny: 'storage: {}' });
    const { application } = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' });
    expect(application).toMatch(/# A Docker named volume on the host disk \(per user: keyed by the Cognito sub\)[^\n]*\n\s+container-volumes:/);
  });
});

describe('apps[].storage and the backends', () => {
  it('refuses per-user storage with backend: ecs (one EFS access point per app cannot isolate users), naming both ways out', () => {
    const problems = problemsOf(withStorage('{}', 'backend: ecs\n'));
    expect(problems).toEqual([
      expect.objectContaining({ path: 'apps[0].storage.scope', message: expect.stringMatching(/per-user storage is not available with backend: ecs.*use scope: shared.*or backend: docker/) }),
    ]);
  });

  it('accepts shared storage with backend: ecs (an EFS access point per app)', () => {
    expect(parseConfig(withStorage('{ scope: shared }', 'backend: ecs\n')).apps[0]!.storage).toEqual({ scope: 'shared', path: DEFAULT_STORAGE_PATH });
  });
});
