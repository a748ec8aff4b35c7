/** Configs, outputs and images for the render tests: realistic values, never real accounts. */
import { parseConfig, type Config } from '../../lib/config/index.js';
import { OutputKeys, repositoryOutputKey } from '../../lib/outputs.js';

export const DIGEST_A = `sha256:${'a'.repeat(64)}`;
export const DIGEST_B = `sha256:${'b'.repeat(64)}`;

/** A config with one Shiny and one Dash app; `extra` is appended YAML for the toggles under test. */
export function fixtureConfig(opts: { domain?: string; shiny?: string; dash?: string; shinyproxy?: string } = {}): Config {
  const indent = (s: string | undefined) => (s ? s.trim().split('\n').map((l) => `    ${l}`).join('\n') : '');
  return parseConfig(
    [
      'name: analytics',
      'region: eu-west-1',
      opts.domain ? `domain: ${opts.domain}` : '',
      'tls: { email: ops@example.org }',
      'cognito:',
      '  groups:',
      '    admin_users: {}',
      '    shiny_users: {}',
      '    dash_users: {}',
      'shinyproxy:',
      opts.shinyproxy ? opts.shinyproxy.trim().split('\n').map((l) => `  ${l}`).join('\n') : '  title: Analytics',
      'apps:',
      '  - id: shiny-demo',
      '    kind: shiny',
      '    context: apps/shiny',
      '    groups: [admin_users, shiny_users]',
      indent(opts.shiny),
      '  - id: dash-demo',
      '    kind: dash',
      '    context: apps/dash',
      '    groups: [admin_users, dash_users]',
      indent(opts.dash),
    ]
      .filter((l) => l !== '')
      .join('\n'),
    'fixture.yaml',
  );
}

export const SSLIP_HOST = '203.0.113.10.sslip.io';
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

export function fixtureOutputs(cfg: Config, siteHostname = cfg.domain ?? SSLIP_HOST): Record<string, string> {
  const domain = 'https://analytics-login.auth.eu-west-1.amazoncognito.com';
  const outputs: Record<string, string> = {
    [OutputKeys.UserPoolId]: 'eu-west-1_AbCdEf123',
    [OutputKeys.UserPoolClientId]: '4q1example2client3id4abcde',
    [OutputKeys.CognitoDomainUrl]: domain,
    [OutputKeys.JwksUrl]: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123/.well-known/jwks.json',
    [OutputKeys.LogoutUrl]: `${domain}/logout?client_id=4q1example2client3id4abcde&logout_uri=https://${siteHostname}`,
    [OutputKeys.SiteHostname]: siteHostname,
    [OutputKeys.SiteUrl]: `https://${siteHostname}`,
    [OutputKeys.HostPublicIp]: '203.0.113.10',
    [OutputKeys.HostInstanceId]: 'i-0123456789abcdef0',
    [OutputKeys.Region]: 'eu-west-1',
  };
  for (const app of cfg.apps) outputs[repositoryOutputKey(app)] = `${REGISTRY}/${cfg.name}/${app.id}`;
  return outputs;
}

export function fixtureImages(cfg: Config): Record<string, string> {
  return Object.fromEntries(cfg.apps.map((a, i) => [a.id, `${REGISTRY}/${cfg.name}/${a.id}@${i % 2 ? DIGEST_B : DIGEST_A}`]));
}
