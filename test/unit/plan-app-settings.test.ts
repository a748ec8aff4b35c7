/** plan's "Settings and secrets" section: names only (never values), and who can read the values per backend. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { appSettingsSection, describeAppSettings } from '../../cli/plan/app-settings.js';
import { PLAN_SECTIONS } from '../../cli/plan/sections.js';
import { fixtureConfig } from '../support/render-fixtures.js';

const shiny = 'env:\n  DB_HOST: db.internal\nsecrets:\n  DB_PASSWORD: ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD\n  API_KEY: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123';

describe('plan: settings and secrets', () => {
  it('is one of plan\'s sections', () => {
    expect(PLAN_SECTIONS).toContain(appSettingsSection);
  });

  it('Docker backend: lists setting and secret names with their references, read by the host role and then only ShinyProxy\'s user', () => {
    const data = describeAppSettings(fixtureConfig({ shiny }))!;
    expect(data.apps).toHaveLength(1); // dash-demo has neither
    const lines = appSettingsSection.format(data).join('\n');
    expect(lines).toContain('shiny-demo:');
    expect(lines).toContain('settings: DB_HOST (plain text in application.yml)');
    expect(lines).toContain('DB_PASSWORD (ssm:/shinykit-secrets/analytics/shiny-demo/DB_PASSWORD)');
    expect(lines).toContain('the host\'s instance role, at every `shinykit apply`');
    expect(lines).toContain('user shinyproxy (ShinyProxy) from /run/shinykit-app-env/shiny-demo.env (mode 0600)');
    expect(lines).not.toContain('db.internal'); // not even a plain value: names only
    expect(appSettingsSection.summary!(data)).toEqual(['App settings', expect.stringContaining('1 setting(s) and 2 secret(s) in 1 app(s)')]);
  });

  it('ECS backend: the task execution role reads them', () => {
    const base = fixtureConfig({ shiny });
    const cfg = parseConfig(JSON.stringify({ ...JSON.parse(JSON.stringify(base)), backend: 'ecs' }), 'ecs.yaml');
    expect(describeAppSettings(cfg)!.apps[0]!.readBy).toEqual([expect.stringContaining('the ECS task execution role')]);
  });

  it('is left out when no app has settings or secrets', () => {
    expect(describeAppSettings(fixtureConfig())).toBeUndefined();
  });
});
