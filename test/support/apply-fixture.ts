/**
 * A project directory for `apply` end-to-end tests: the bundled shinykit.yaml,
 * a cdk-outputs.json with every output the CLI needs, and .shinykit/images.json
 * as `push` would leave it, so rendering needs no registry.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.js';
import { freePort } from './ports.js';

export const INSTANCE_ID = 'i-0a1b2c3d4e5f60718';
export const PREFIX = '/shinykit/analytics/';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

export function applyProject(): { dir: string; config: string; outputs: string } {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-apply-'));
  const config = join(dir, 'shinykit.yaml');
  copyFileSync(join(ROOT, 'shinykit.yaml'), config);
  const outputs = join(dir, 'cdk-outputs.json');
  writeFileSync(
    outputs,
    JSON.stringify({
      'analytics-data': {
        UserPoolId: 'eu-west-1_AbCdEfGhI',
        UserPoolClientId: '1example23456789abcdefghij',
        CognitoDomainUrl: 'https://analytics-login.auth.eu-west-1.amazoncognito.com',
        JwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI/.well-known/jwks.json',
        LogoutUrl:
          'https://analytics-login.auth.eu-west-1.amazoncognito.com/logout?client_id=1example23456789abcdefghij&logout_uri=https://203.0.113.10.sslip.io',
        SiteHostname: '203.0.113.10.sslip.io',
        SiteUrl: 'https://203.0.113.10.sslip.io',
        HostPublicIp: '203.0.113.10',
        Region: 'eu-west-1',
        RepositoryShinyDemo: `${REGISTRY}/analytics/shiny-demo`,
        RepositoryDashDemo: `${REGISTRY}/analytics/dash-demo`,
      },
      'analytics-host': { HostInstanceId: INSTANCE_ID, ConfigParameterPrefix: PREFIX, HostLogGroupName: '/shinykit/analytics/host' },
    }),
  );
  setImages(dir, 'a');
  return { dir, config, outputs };
}

/** Records a pushed image for both apps; `digestChar` varies the digest so the rendered config changes. */
export function setImages(dir: string, digestChar: string): void {
  mkdirSync(join(dir, '.shinykit'), { recursive: true });
  const img = (app: string) => ({
    repository: `${REGISTRY}/analytics/${app}`,
    tag: 'v1',
    digest: `sha256:${digestChar.repeat(64)}`,
    pushedAt: '2026-01-01T00:00:00.000Z',
  });
  writeFileSync(join(dir, '.shinykit', 'images.json'), JSON.stringify({ 'shiny-demo': img('shiny-demo'), 'dash-demo': img('dash-demo') }));
}

/**
 * An HTTP proxy in front of moto_server that reports every Run Command as
 * failed with the given host output. moto cannot run the host script (it
 * always reports Success with empty output), so this is the only way to see
 * the CLI's handling of a host that rejected a config.
 */
export async function failingInvocationProxy(
  motoUrl: string,
  fake: { status: string; responseCode: number; stdout: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(motoUrl);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          const upChunks: Buffer[] = [];
          up.on('data', (c: Buffer) => upChunks.push(c));
          up.on('end', () => {
            let out = Buffer.concat(upChunks);
            if (req.headers['x-amz-target'] === 'AmazonSSM.GetCommandInvocation' && up.statusCode === 200) {
              const inv = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
              inv.Status = fake.status;
              inv.StatusDetails = fake.status;
              inv.ResponseCode = fake.responseCode;
              inv.StandardOutputContent = fake.stdout;
              out = Buffer.from(JSON.stringify(inv));
            }
            const headers = { ...up.headers, 'content-length': String(out.length) };
            res.writeHead(up.statusCode ?? 500, headers);
            res.end(out);
          });
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
