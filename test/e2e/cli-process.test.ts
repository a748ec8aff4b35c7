import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../support/cli.js';

describe('the shinykit process', () => {
  it('stops quietly with exit 0 when the reader of its stdout goes away (| head)', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // Close the pipe before anything is written, as a reader that exits early does.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
