/**
 * README.md stays true: its reference sections equal what `npm run docs` would
 * write now (config reference from the zod schema; CLI reference from the built
 * CLI's live `--help`), and it opens with the two commands.
 * Needs dist/ (npm test builds it first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configRows, extractSection, generateCliReference, generateConfigReference, generateDocsIndex, README } from '../../docs/readme-gen.js';

const readme = readFileSync(README, 'utf8');
const STALE = 'README.md is out of date: run `npm run docs` and commit the result';

describe('README.md', () => {
  it('opens with the install+test command and the offline main job', () => {
    const firstLines = readme.split('\n').slice(0, 6).join('\n');
    expect(firstLines).toMatch(/^npm ci && npm test\b.*bash \.ci\/run/m);
    expect(firstLines).toMatch(/^npx shinykit plan\b/m);
  });

  it('config reference matches the schema', () => {
    expect(extractSection(readme, 'config-reference'), STALE).toBe(generateConfigReference());
  });

  it('config reference lists every key, nested ones included', () => {
    const paths = configRows().map((r) => r.path);
    for (const p of ['name', 'tls.email', 'host.instanceType', 'cognito.groups.<name>.precedence', 'apps[].groups', 'apps[].port']) {
      expect(paths).toContain(p);
    }
  });

  it('every config key has a description (add new keys to CONFIG_DESCRIPTIONS in docs/readme-gen.ts)', () => {
    expect(configRows().filter((r) => !r.description).map((r) => r.path)).toEqual([]);
  });

  it('the documentation index lists every docs/*.md', () => {
    expect(extractSection(readme, 'docs-index'), STALE).toBe(generateDocsIndex());
  });

  it('CLI reference matches the live CLI --help for every command', async () => {
    const live = await generateCliReference();
    expect(extractSection(readme, 'cli-reference'), STALE).toBe(live);
    for (const cmd of ['init', 'plan', 'doctor', 'validate']) expect(live).toContain(`#### \`shinykit ${cmd}\``);
  });

  it('troubleshooting covers every known pitfall from the design', () => {
    for (const topic of ['redirect_mismatch', 'grey out', 'Logout', 'cognito:groups', 'Cognito domain', 'TooManyRequestsException', '12 hours', 'IfNotPresent', 'client secret', 'SHINYPROXY_PUBLIC_PATH']) {
      expect(readme).toContain(topic);
    }
  });

  it('links resolve to files in the repository', () => {
    for (const [, target] of readme.matchAll(/\]\(((?:assets|docs)\/[^)#]+)\)/g)) {
      expect(existsSync(new URL(`../../${target}`, import.meta.url)), target).toBe(true);
    }
  });
});
