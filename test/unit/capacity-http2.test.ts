/**
 * plan's host capacity (cli/plan/capacity.ts) and the nginx http2 syntax per host version
 * (lib/render/nginx.ts), with the real `nginx -t` of Debian's 1.22 on the older syntax.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeCapacity, formatCapacity, instanceMemoryMiB, shinyProxyHeapMiB } from '../../cli/plan/capacity.js';
import { renderConfigs } from '../../lib/render/index.js';
import { httpsListen } from '../../lib/render/nginx.js';
import { fixtureConfig, fixtureImages, fixtureOutputs, SSLIP_HOST } from '../support/render-fixtures.js';
import { nginxConfigTest, prepareNginx, removePrefix } from '../support/nginx.js';

describe('plan: host capacity', () => {
  it('the default host (t3.small, apps at the 512m default) fits about 2 sessions of each app', () => {
    const c = describeCapacity(fixtureConfig());
    expect(c).toMatchObject({ instanceType: 't3.small', memoryMiB: 2048, shinyProxyMiB: 456, forAppsMiB: 1142 });
    expect(c.apps).toEqual([
      { id: 'shiny-demo', memoryMiB: 512, sessions: 2 },
      { id: 'dash-demo', memoryMiB: 512, sessions: 2 },
    ]);
    expect(c.warnings).toEqual([]);
    expect(formatCapacity(c).join('\n')).toContain('about 2 concurrent sessions of shiny-demo (512 MiB each) on this instance type');
  });

  it('warns when one session of each app cannot fit next to ShinyProxy', () => {
    const c = describeCapacity(fixtureConfig({ shiny: 'memory: 1g', dash: 'memory: 1g' }));
    expect(c.apps.map((a) => a.sessions)).toEqual([1, 1]);
    expect(c.warnings[0]).toContain('one session of each app needs 2048 MiB, but t3.small leaves about 1142 MiB');
  });

  it('knows the memory of common types, caps the heap like shinykit-memory.sh, and says so for unknown types', () => {
    expect(instanceMemoryMiB('t4g.medium')).toBe(4096);
    expect(instanceMemoryMiB('m7g.large')).toBe(8192);
    expect(instanceMemoryMiB('x2iedn.xlarge')).toBeUndefined();
    expect([shinyProxyHeapMiB(2048), shinyProxyHeapMiB(8192), shinyProxyHeapMiB(65536)]).toEqual([256, 1024, 2048]);
  });
});

describe('nginx http2 syntax follows the host\'s nginx version', () => {
  it('before 1.25.1 (and when unknown): `listen 443 ssl http2`; from 1.25.1: `http2 on;`', () => {
    expect(httpsListen(undefined)).toEqual(['    listen 443 ssl http2;']);
    expect(httpsListen('1.22.1')).toEqual(['    listen 443 ssl http2;']);
    expect(httpsListen('1.25.0')).toEqual(['    listen 443 ssl http2;']);
    expect(httpsListen('1.25.1')).toEqual(['    listen 443 ssl;', '    http2 on;']);
    expect(httpsListen('1.28.0')).toEqual(['    listen 443 ssl;', '    http2 on;']);
  });

  it('the snippet rendered for Debian\'s nginx 1.22 passes its real `nginx -t`', () => {
    const version = /nginx\/(\d+\.\d+\.\d+)/.exec(spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr)![1]!;
    const cfg = fixtureConfig();
    const { nginx } = renderConfigs({ config: cfg, outputs: fixtureOutputs(cfg), images: fixtureImages(cfg), source: 'test', nginxVersion: version });
    const p = prepareNginx(nginx, SSLIP_HOST, { http: 18080, https: 18443, backend: 18081 });
    try {
      const t = nginxConfigTest(p);
      expect(t.output).not.toContain('emerg');
      expect(t.ok).toBe(true);
    } finally {
      removePrefix(p);
    }
  });
});
