/**
 * A real ACME server on loopback: Let's Encrypt's pebble with pebble-challtestsrv as its DNS
 * (it answers 127.0.0.1 for every name, and no AAAA so validation never tries ::1). pebble's
 * own HTTPS certificate comes from a CA made here; the certificates it issues chain to a root
 * it makes at start (fetched from its management port). `httpPort` is where pebble sends
 * HTTP-01 validation: the port the nginx under test listens on.
 * The binaries come from .ci/acme-tools.sh (Debian sid's lego 4.35.2 and pebble 2.10, which
 * has ACME profiles; bookworm's 2.4 has none).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';
import { stopProcess } from './process.js';

export interface AcmeTools {
  readonly lego: string;
  readonly pebble: string;
  readonly challtestsrv: string;
}

/** The ACME binaries, or an error that says how to get them (CI installs them in .ci/run). */
export function acmeTools(): AcmeTools {
  const dir = process.env.SHINYKIT_ACME_TOOLS ?? '/opt/shinykit-acme/bin';
  const tools = { lego: join(dir, 'lego'), pebble: join(dir, 'pebble'), challtestsrv: join(dir, 'pebble-challtestsrv') };
  const missing = Object.values(tools).filter((t) => !existsSync(t));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: run \`bash .ci/acme-tools.sh\` (installs lego and pebble from Debian sid into /opt/shinykit-acme)`);
  }
  return tools;
}

/**
 * Validity of pebble's profiles in seconds: `default` as Let's Encrypt's classic (90 days),
 * `shortlived` as Let's Encrypt's (160 h), `tiny` to watch a renewal happen. Which profile pebble
 * uses for an order that names none is not defined when it has several, so a test that relies on
 * the CA's default starts a pebble with `default` alone.
 */
export const PEBBLE_PROFILES = { default: 7_776_000, shortlived: 576_000, tiny: 60 } as const;
export type PebbleProfile = keyof typeof PEBBLE_PROFILES;

export interface Pebble {
  readonly directoryUrl: string;
  /** The CA of pebble's own HTTPS (what lego must trust to talk to it). */
  readonly serverCaFile: string;
  /** pebble's issuing root, PEM: what a browser trusting this CA would have. */
  readonly rootPem: string;
  readonly rootFile: string;
  stop(): Promise<void>;
}

function openssl(args: string[]): void {
  const res = spawnSync('openssl', args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`openssl ${args[0]} failed: ${res.stderr}`);
}

function get(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function startLogged(cmd: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return { child, output: () => out };
}

export async function startPebble(httpPort: number, profileNames: readonly PebbleProfile[], tools = acmeTools()): Promise<Pebble> {
  const dir = mkdtempSync(join(tmpdir(), 'shinykit-pebble-'));
  const serverCaFile = join(dir, 'server-ca.pem');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=shinykit test ACME server CA', '-keyout', join(dir, 'server-ca.key'), '-out', serverCaFile]);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'server.key'), '-out', join(dir, 'server.csr')]);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', join(dir, 'server.csr'), '-CA', serverCaFile, '-CAkey', join(dir, 'server-ca.key'),
    '-CAcreateserial', '-days', '2', '-extfile', join(dir, 'server.ext'), '-out', join(dir, 'server.pem')]);

  const [acmePort, mgmtPort, dnsPort, ctsMgmtPort, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const profiles = Object.fromEntries(
    profileNames.map((name) => [name, { description: name, validityPeriod: PEBBLE_PROFILES[name] }]),
  );
  writeFileSync(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: join(dir, 'server.pem'),
        privateKey: join(dir, 'server.key'),
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
        retryAfter: { authz: 1, order: 1 },
        keyAlgorithm: 'ecdsa',
        profiles,
      },
    }),
  );
  const cts = startLogged(
    tools.challtestsrv,
    ['-dnsserver', `127.0.0.1:${dnsPort}`, '-defaultIPv6', '', '-doh', '', '-http01', '', '-https01', '', '-tlsalpn01', '',
      '-management', `127.0.0.1:${ctsMgmtPort}`],
    process.env,
  );
  // NOSLEEP: validate at once; NONCEREJECT=0: no deliberately rejected nonces (lego retries, but slower).
  const pebble = startLogged(tools.pebble, ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
    ...process.env,
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_WFE_NONCEREJECT: '0',
  });
  const ca = serverCaFile;
  const stop = async () => {
    await stopProcess(pebble.child);
    await stopProcess(cts.child);
    rmSync(dir, { recursive: true, force: true });
  };
  const caPem = readFileSync(ca, 'utf8');
  try {
    await waitFor(async () => (await get(`https://127.0.0.1:${acmePort}/dir`, caPem)).status > 0, 'pebble directory', 30_000);
  } catch (err) {
    await stop();
    throw new Error(`pebble did not start: ${String(err)}\n${pebble.output()}\n${cts.output()}`);
  }
  const root = await get(`https://127.0.0.1:${mgmtPort}/roots/0`, caPem);
  const rootFile = join(dir, 'issuing-root.pem');
  writeFileSync(rootFile, root.body);
  return { directoryUrl: `https://127.0.0.1:${acmePort}/dir`, serverCaFile, rootPem: root.body, rootFile, stop };
}
