/**
 * Requests per second through the rendered nginx snippet (TLS termination,
 * proxying to a Node stand-in for ShinyProxy) against the same backend
 * directly, measured with wrk on loopback in the same run; prints both and
 * the ratio. `npm run bench:nginx` (BENCH_SECONDS, BENCH_CONNECTIONS to tune).
 *
 * The figure that matters is the ratio: absolute numbers depend on the machine
 * (and on the CPU the other processes here are using).
 */
import { execa } from 'execa';
import { loadConfig } from '../lib/config/index.js';
import { placeholderImages, placeholderOutputs, renderConfigs } from '../lib/render/index.js';
import { OutputKeys } from '../lib/outputs.js';
import { startBackend } from '../test/support/nginx-backend.js';
import { prepareNginx, removePrefix, startNginx } from '../test/support/nginx.js';
import { freePort } from '../test/support/ports.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

/**
 * Successful responses per second, from wrk run asynchronously (the backend lives in
 * this process and must keep serving meanwhile).
 */
async function wrk(url: string, host: string): Promise<number> {
  const res = await execa('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-H', `Host: ${host}`, url], {
    reject: false,
    timeout: (seconds + 30) * 1000,
  });
  if (res.failed && res.exitCode === undefined) throw new Error(`wrk could not run (${res.message}); install it (apt-get install wrk)`);
  // Only successful responses count: wrk's Requests/sec includes error responses (a 502 from
  // nginx is fast), so the rate is (requests - non-2xx/3xx) over the measured duration.
  const total = /(\d+) requests in ([\d.]+)(ms|s|m)\b/.exec(res.stdout);
  if (res.exitCode !== 0 || !total) throw new Error(`wrk failed on ${url}:\n${res.stdout}${res.stderr}`);
  const requests = Number(total[1]);
  const duration = Number(total[2]) * { ms: 0.001, s: 1, m: 60 }[total[3] as 'ms' | 's' | 'm'];
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(res.stdout)?.[1] ?? 0);
  const socketErrors = /Socket errors: .*/.exec(res.stdout);
  if (socketErrors) process.stderr.write(`note (${url}): ${socketErrors[0]}\n`);
  if (failed > requests / 100) {
    throw new Error(`${failed} of ${requests} responses from ${url} were errors (not 2xx/3xx): the setup is broken, the rate would mean nothing`);
  }
  const ok = requests - failed;
  if (ok === 0 || duration === 0) throw new Error(`wrk got no successful response from ${url}:\n${res.stdout}`);
  return ok / duration;
}

async function main(): Promise<void> {
  const cfg = loadConfig(new URL('../shinykit.yaml', import.meta.url).pathname);
  const outputs = placeholderOutputs(cfg);
  const host = outputs[OutputKeys.SiteHostname]!;
  const { nginx } = renderConfigs({ config: cfg, outputs, images: placeholderImages(cfg, outputs), source: 'bench' });

  const backend = await startBackend();
  const ports = { http: await freePort(), https: await freePort(), backend: backend.port };
  const prefix = prepareNginx(nginx, host, ports);
  let proxy: Awaited<ReturnType<typeof startNginx>> | undefined;
  try {
    proxy = await startNginx(prefix, ports);
    process.stderr.write(`wrk: ${seconds}s, ${connections} connections, 1 thread, GET /bench\n`);
    const direct = await wrk(`http://127.0.0.1:${backend.port}/bench`, host);
    const viaNginx = await wrk(`https://127.0.0.1:${ports.https}/bench`, host);
    const pad = (s: string) => s.padEnd(34);
    console.log(`${pad('backend directly (http)')}${direct.toFixed(0)} req/s`);
    console.log(`${pad('through rendered nginx (https)')}${viaNginx.toFixed(0)} req/s`);
    console.log(`${pad('ratio nginx / direct')}${(viaNginx / direct).toFixed(2)}`);
  } finally {
    await proxy?.stop();
    await backend.stop();
    removePrefix(prefix);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
