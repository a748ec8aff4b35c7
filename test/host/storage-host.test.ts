/**
 * Storage survives what the host does on its own: `apply` (config swap, ShinyProxy restart,
 * image pruning) and the orphan cleanup before every ShinyProxy start. The real host scripts
 * run against a temporary root with a rendered application.yml that mounts storage; Docker
 * cannot run here, so `docker` is a recording stub (SHINYKIT_DOCKER) and every call it gets is
 * checked. A static check then holds every host file to never removing or pruning volumes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostAssetsDir } from '../../lib/host-bootstrap.js';
import { renderConfigs } from '../../lib/render/index.js';
import { fixtureConfig, fixtureImages, fixtureOutputs } from '../support/render-fixtures.js';

const HOST = hostAssetsDir();

/** Docker commands that delete a named volume or its data, in any spelling a script might use. */
const VOLUME_REMOVAL = [/\bvolume\s+(rm|remove|prune)\b/, /\bsystem\s+prune\b/, /\brm\s+(-\w*v\w*\b|--volumes\b)/, /--volumes\b/, /\/var\/lib\/docker\/volumes/];

function recordingDocker(dir: string): { bin: string; calls: () => string[] } {
  const log = join(dir, 'docker.log');
  writeFileSync(log, '');
  const bin = join(dir, 'docker');
  // `image ls` lists an older image of an app's repository that no config names, so apply's
  // pruning has something to remove;
  // `ps` lists two orphaned app containers.
  writeFileSync(
    bin,
    `#!/bin/bash\necho "$*" >> ${log}\ncase "$1 $2" in\n  "image ls") echo "sha256:old 123456789012.dkr.ecr.eu-west-1.amazonaws.com/analytics/shiny-demo <none> sha256:${'c'.repeat(64)}" ;;\n  "ps -aq") printf 'c1\\nc2\\n' ;;\nesac\n`,
  );
  chmodSync(bin, 0o755);
  return { bin, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

describe('storage and the host scripts', () => {
  it('apply puts a config with storage live and orphan cleanup runs, without one docker call that touches a volume', () => {
    const root = mkdtempSync(join(tmpdir(), 'shinykit-storage-'));
    const docker = recordingDocker(root);
    const cfg = fixtureConfig({ shiny: 'storage: {}', dash: 'storage: { scope: shared, path: /srv/data }' });
    const rendered = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test' });
    const newDir = join(root, 'new');
    mkdirSync(newDir);
    writeFileSync(join(newDir, 'shinyproxy.conf'), rendered.nginx);
    writeFileSync(join(newDir, 'application.yml'), rendered.application);
    const env = { ...process.env, SHINYKIT_ROOT: root, SHINYKIT_DOCKER: docker.bin };
    const res = spawnSync('bash', [join(HOST, 'shinykit-apply.sh'), '--nginx', join(newDir, 'shinyproxy.conf'), '--application', join(newDir, 'application.yml')], {
      encoding: 'utf8',
      env: { ...env, SHINYKIT_NGINX_TEST: 'true', SHINYKIT_RELOAD_NGINX: 'true', SHINYKIT_RESTART_SHINYPROXY: 'true', SHINYKIT_HEALTHCHECK: 'true', SHINYKIT_PULL: 'true' },
    });
    expect(`${res.stdout}${res.stderr}`).toContain('RESULT: applied');
    expect(res.status).toBe(0);
    expect(readFileSync(join(root, 'etc/shinyproxy/application.yml'), 'utf8')).toContain('shinykit_shiny-demo_user_#{oidcUser.subject}:/home/app/data');

    const orphans = spawnSync('bash', [join(HOST, 'shinykit-orphans.sh')], { encoding: 'utf8', env });
    expect(orphans.status).toBe(0);

    // What docker was asked to do: list and remove one unnamed image, list and remove containers.
    expect(docker.calls()).toEqual([
      'image ls --digests --format {{.ID}} {{.Repository}} {{.Tag}} {{.Digest}}',
      'image rm sha256:old',
      'ps -aq --filter label=openanalytics.eu/sp-proxy-id',
      'rm -f c1 c2',
    ]);
    for (const call of docker.calls()) for (const re of VOLUME_REMOVAL) expect(call).not.toMatch(re);
  });

  it('no host script, unit or bootstrap step removes or prunes Docker volumes', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(HOST);
    expect(files.length).toBeGreaterThan(10);
    const offending = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => !/^\s*#/.test(line) && /docker|\$\{docker\[@\]\}/.test(line) && VOLUME_REMOVAL.some((re) => re.test(line)))
        .map((line) => `${f}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});
