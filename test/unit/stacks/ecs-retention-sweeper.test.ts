/**
 * The log retention sweeper's inline code (lib/constructs/ecs-apps.ts), run in
 * Node as Lambda runs it (CommonJS index.js). The Lambda runtime's bundled
 * @aws-sdk/client-cloudwatch-logs is not a dependency of this package, so a
 * stand-in module records the calls instead (the one mock here, and why).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RETENTION_SWEEPER_SOURCE } from '../../../lib/constructs/ecs-apps.js';

const FAKE_SDK = `
const calls = [];
class PutRetentionPolicyCommand { constructor(input) { this.input = input; } }
class CloudWatchLogsClient { async send(cmd) { calls.push(cmd.input); return {}; } }
async function* paginateDescribeLogGroups(_config, input) {
  const groups = globalThis.__groups.filter((g) => g.logGroupName.startsWith(input.logGroupNamePrefix));
  yield { logGroups: groups.slice(0, 2) };
  yield { logGroups: groups.slice(2) };
}
module.exports = { CloudWatchLogsClient, PutRetentionPolicyCommand, paginateDescribeLogGroups, calls };
`;

function loadSweeper() {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-sweeper-'));
  const sdk = join(dir, 'node_modules', '@aws-sdk', 'client-cloudwatch-logs');
  mkdirSync(sdk, { recursive: true });
  writeFileSync(join(sdk, 'index.js'), FAKE_SDK);
  writeFileSync(join(dir, 'index.js'), RETENTION_SWEEPER_SOURCE);
  const require = createRequire(join(dir, 'index.js'));
  return { handler: require('./index.js').handler as () => Promise<{ changed: number }>, calls: require('@aws-sdk/client-cloudwatch-logs').calls as unknown[] };
}

describe('log retention sweeper', () => {
  it('sets the retention on every group below the prefix that lacks it (across pages), and on nothing else', async () => {
    process.env.PREFIX = '/shinykit/lab/apps/';
    process.env.DAYS = '30';
    (globalThis as any).__groups = [
      { logGroupName: '/shinykit/lab/apps/sp-1' },
      { logGroupName: '/shinykit/lab/apps/sp-2', retentionInDays: 30 },
      { logGroupName: '/shinykit/lab/apps/sp-3', retentionInDays: 7 },
      { logGroupName: '/shinykit/other/apps/sp-9' },
    ];
    const { handler, calls } = loadSweeper();
    try {
      expect(await handler()).toEqual({ changed: 2 });
    } finally {
      delete process.env.PREFIX;
      delete process.env.DAYS;
    }
    expect(calls).toEqual([
      { logGroupName: '/shinykit/lab/apps/sp-1', retentionInDays: 30 },
      { logGroupName: '/shinykit/lab/apps/sp-3', retentionInDays: 30 },
    ]);
  });
});
