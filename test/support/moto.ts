/**
 * A real moto_server on 127.0.0.1 for end-to-end tests: each test file starts
 * its own on a free port (so files can run in parallel) and resets it between
 * tests with POST /moto-api/reset.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from './ports.js';
import { stopProcess } from './process.js';

export interface Moto {
  readonly url: string;
  readonly port: number;
  /** Environment for the CLI / SDK clients: endpoint, region and dummy credentials. */
  readonly env: Record<string, string>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_REGION = 'eu-west-1';

export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'true' },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.once('error', (err) => {
    stderr += `\n${String(err)}`;
  });
  try {
    await waitFor(async () => (await fetch(`${url}/moto-api/`)).ok, `moto_server on ${url}`, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`moto_server did not start (is it on PATH?): ${String(err)}\n${stderr}`);
  }
  return {
    url,
    port,
    env: motoEnv(url),
    reset: async () => {
      const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    stop: () => stopProcess(child),
  };
}

/** Points the AWS SDK (and so the CLI) at a local endpoint, with throwaway credentials. */
export function motoEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: TEST_REGION,
    AWS_DEFAULT_REGION: TEST_REGION,
    // Keep a developer's real profile and config out of the tests.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}
