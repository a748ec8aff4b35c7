/**
 * `shinykit doctor`: check a live deployment end to end, one line per check, and fail
 * if any failed. The checks: cli/doctor/checks.ts, identity.ts (identity providers), email.ts (SES).
 */
import { Command, InvalidArgumentError } from 'commander';
import { runChecks, type DoctorDeps } from '../doctor/checks.js';
import { sesEmailChecks } from '../doctor/email.js';
import { fetchText, identityChecks, type HttpGet } from '../doctor/identity.js';
import { formatDoctor, type DoctorReport } from '../doctor/index.js';
import { parseEndpoint, systemResolver, type Endpoint } from '../doctor/site.js';
import { createContext } from '../lib/context.js';
import { QuietExit, ShinykitError, WorkError, ExitCode } from '../lib/errors.js';
import { readImageState } from '../lib/image-state.js';

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check a live deployment: outputs, DNS, HTTPS, login redirect, Cognito client URLs, images, SSM, last apply')
    .option('--json', 'print the results as JSON')
    .option(
      '--connect <host:port>',
      "reach the site at this address instead of the one its name resolves to (a tunnel, a test server); TLS and the Host header still use the site's name",
      parseConnect,
    )
    .option('--cert-warn-days <days>', 'warn when the certificate expires within this many days', parseDays, 14)
    .action(async (opts: { json?: boolean; connect?: Endpoint; certWarnDays: number }, cmd: Command) => {
      const ctx = createContext(cmd);
      const config = ctx.config();
      let outputs: { values: Readonly<Record<string, string>>; source: string } | { error: string };
      try {
        const o = await ctx.outputs();
        outputs = { values: o.values, source: o.source };
      } catch (err) {
        if (!(err instanceof ShinykitError)) throw err;
        outputs = { error: err.hint ? `${err.message} (${err.hint})` : err.message };
      }
      const clients = await ctx.aws();
      const report = await runDoctor({
        config,
        outputs,
        cognito: () => clients.cognito(),
        ecr: () => clients.ecr(),
        ssm: () => clients.ssm(),
        ecs: () => clients.ecs(),
        iam: () => clients.iam(),
        ses: (region) => clients.sesv2(region),
        resolve: systemResolver,
        connect: opts.connect,
        images: readImageState(ctx.options.config),
        now: () => new Date(),
        certWarnDays: opts.certWarnDays,
      });
      if (opts.json) ctx.out.json(report);
      else ctx.out.result(formatDoctor(report, ctx.out.color));
      if (!report.ok) {
        throw opts.json ? new QuietExit(ExitCode.Failure) : new WorkError(`${report.failed} check(s) failed; see the fixes above`);
      }
    });
}

function parseConnect(value: string): Endpoint {
  const e = parseEndpoint(value);
  if (!e) throw new InvalidArgumentError('expected host:port, such as 127.0.0.1:8443');
  return e;
}

function parseDays(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number of days');
  return Number(value);
}

/** Every check that applies to the config, with its result. */
export async function runDoctor(deps: DoctorDeps, opts: { httpGet?: HttpGet } = {}): Promise<DoctorReport> {
  // Identity providers (cognito.identityProviders) add one check each; none without providers.
  // cognito.email adds the SES checks; none without it.
  const checks = [
    ...(await runChecks(deps)),
    ...(await runChecks(deps, identityChecks(deps.config, opts.httpGet ?? fetchText))),
    ...(await runChecks(deps, sesEmailChecks(deps.config))),
  ];
  const failed = checks.filter((c) => c.status === 'fail').length;
  return { ok: failed === 0, failed, warnings: checks.filter((c) => c.status === 'warn').length, checks };
}
