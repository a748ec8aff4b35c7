/**
 * apps[].storage through the built CLI as a child process: `validate` refuses a bad storage
 * setting with exit 2 naming the field, its line and the fix; `render` writes the volume and
 * SHINYKIT_STORAGE_DIR into application.yml from a project directory (cdk-outputs.json and
 * .shinykit/images.json as deploy and push leave them; no AWS call is needed).
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../lib/config/index.js';
import { runCli } from '../support/cli.js';
import { DIGEST_A, DIGEST_B, fixtureOutputs } from '../support/render-fixtures.js';

/** No AWS endpoint answers: the commands must not need one. */
const OFFLINE_ENV = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

const config = (shinyStorage: string) => `name: analytics
region: eu-west-1
tls: { email: ops@example.org }
cognito:
  groups: { shiny_users: {}, dash_users: {} }
apps:
  - id: shiny-demo
    context: .
    groups: [shiny_users]
    storage: ${shinyStorage}
  - { id: dash-demo, kind: dash, context: ., groups: [dash_users], storage: { scope: shared, path: /srv/board } }
`;

function project(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-storage-cli-'));
  writeFileSync(join(dir, 'shinykit.yaml'), text);
  return dir;
}

describe('storage through the built CLI', () => {
  it('validate refuses a storage path inside the image\'s system directories, exit 2, naming field, line and fix', async () => {
    const dir = project(config('{ path: /usr/share/data }'));
    const res = await runCli(['validate'], { cwd: dir, env: OFFLINE_ENV });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/apps\[0\]\.storage\.path: expected a path outside the image's system directories .*such as \/home\/app\/data \(.*shinykit\.yaml line 10\)/);
    expect(res.stdout).toBe('');
  });

  it('render writes each app\'s volume and SHINYKIT_STORAGE_DIR into application.yml', async () => {
    const text = config('{}');
    const dir = project(text);
    const cfg = parseConfig(text);
    writeFileSync(join(dir, 'cdk-outputs.json'), JSON.stringify({ 'analytics-data': fixtureOutputs(cfg) }));
    mkdirSync(join(dir, '.shinykit'));
    const repo = (id: string) => fixtureOutputs(cfg)[id === 'shiny-demo' ? 'RepositoryShinyDemo' : 'RepositoryDashDemo'];
    const image = (id: string, digest: string) => ({ repository: repo(id), tag: 't', digest, pushedAt: '2026-01-01T00:00:00.000Z' });
    writeFileSync(join(dir, '.shinykit', 'images.json'), JSON.stringify({ 'shiny-demo': image('shiny-demo', DIGEST_A), 'dash-demo': image('dash-demo', DIGEST_B) }));
    const res = await runCli(['render', '--out', join(dir, 'out')], { cwd: dir, env: OFFLINE_ENV });
    expect(res.stderr).not.toMatch(/error/i);
    expect(res.exitCode).toBe(0);
    const specs = (parse(readFileSync(join(dir, 'out/shinyproxy/application.yml'), 'utf8'), { version: '1.1' }) as { proxy: { specs: Array<Record<string, any>> } }).proxy.specs;
    expect(specs.map((s) => [s.id, s['container-volumes'], s['container-env']])).toEqual([
      ['shiny-demo', ['shinykit_shiny-demo_user_#{oidcUser.subject}:/home/app/data'], { SHINYKIT_STORAGE_DIR: '/home/app/data' }],
      ['dash-demo', ['shinykit_dash-demo_shared:/srv/board'], { SHINYKIT_STORAGE_DIR: '/srv/board' }],
    ]);
  });
});
