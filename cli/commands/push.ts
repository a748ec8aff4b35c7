/** `shinykit push`: build and push app images (only what changed), record the digests, roll them out. */
import { Command, Option } from 'commander';
import { createContext, type CommandContext } from '../lib/context.js';
import { ExitCode, plural, QuietExit, WorkError } from '../lib/errors.js';
import { marks } from '../lib/io-host.js';
import { positiveNumber } from '../lib/options.js';
import { BUILDERS, type BuilderName } from '../push/builders.js';
import { REGISTRY_ENV } from '../push/registry.js';
import { defaultConcurrency, runPush, type PushResult } from '../push/run.js';
import { runApply, type ApplyResult } from './apply.js';

interface PushFlags {
  builder?: BuilderName;
  concurrency?: number;
  registry?: string;
  apply: boolean;
  json?: boolean;
}


export function pushCommand(): Command {
  return new Command('push')
    .description('build and push app images to ECR (only those whose inputs changed), then roll them out with apply')
    .argument('[apps...]', 'app ids to push (default: every app in the config)')
    .addOption(new Option('--builder <name>', 'image builder (default: SHINYKIT_BUILDER, else docker if its engine runs, else podman)').choices(BUILDERS))
    .option('--concurrency <n>', `builds at once (default: ${defaultConcurrency()}, from the CPU count)`, positiveNumber('--concurrency', true))
    .option('--registry <host[:port][/prefix]>', `push to this registry instead of ECR (also ${REGISTRY_ENV}); write http://host:port for a plain-HTTP test registry`)
    .option('--no-apply', 'only build and push; do not roll the images out')
    .option('--json', 'print a JSON summary: {apps:[{id, tag, digest, image, built, pushed, status, error?}]}')
    .addHelpText(
      'after',
      [
        '',
        'Tags: each image is tagged with a hash of its build inputs (the context minus',
        '.dockerignore, the Dockerfile, build args, the target platform). A tag already in',
        'the repository is neither built nor pushed again, so a push with nothing changed',
        'takes about a second. The git commit is recorded as the image label',
        'org.opencontainers.image.revision (not hashed: a new commit alone rebuilds nothing).',
        '',
        'Registry override: --registry (or SHINYKIT_REGISTRY) sends images to',
        '<registry>/<name>/<app-id> instead of the ECR repository named in the stack',
        'outputs, and checks tags there over the registry HTTP API (v2). The login is',
        'still user AWS with the ECR authorization token, so the registry must accept it',
        '(a mirror, or a test registry). Without stack outputs, set region in',
        'shinykit.yaml or pass --region.',
        '',
        'Podman on machines without overlay storage or user namespaces (as in CI):',
        '  SHINYKIT_PODMAN_STORAGE_DRIVER (e.g. vfs), SHINYKIT_PODMAN_ROOT,',
        '  SHINYKIT_PODMAN_RUNROOT, SHINYKIT_PODMAN_ISOLATION (e.g. chroot).',
        '',
        'Build logs: .shinykit/logs/push-<app-id>.log beside the config file.',
      ].join('\n'),
    )
    .action(async (apps: string[], flags: PushFlags, cmd: Command) => {
      const ctx = createContext(cmd);
      let rollout: ApplyResult | undefined;
      const result = await runPush(
        { apps, builder: flags.builder, concurrency: flags.concurrency, registry: flags.registry, apply: flags.apply },
        ctx,
        // The rollout: render with the digests just recorded and deliver them to the host.
        { apply: async (c) => void (rollout = await runApply({}, c)) },
      );
      report(ctx, result, Boolean(flags.json), rollout);
    });
}

function report(ctx: CommandContext, result: PushResult, json: boolean, rollout?: ApplyResult): void {
  // Failed builds: the tail of each log, after the progress block so they do not interleave.
  for (const app of result.apps.filter((a) => a.status === 'failed')) {
    ctx.out.info(`\n${app.id}: ${app.error}`);
    for (const line of app.tail ?? []) ctx.out.info(`  | ${line}`);
    if (app.log) ctx.out.info(`  full log: ${app.log}`);
    if (app.hint) ctx.out.info(`  hint: ${app.hint}`);
  }
  if (json) {
    ctx.out.json({
      apps: result.apps.map((a) => ({
        id: a.id,
        tag: a.tag,
        digest: a.digest ?? null,
        image: a.image ?? null,
        built: a.built,
        pushed: a.pushed,
        status: a.status,
        ...(a.error ? { error: a.error } : {}),
      })),
      applied: result.applied,
      ...(rollout ? { apply: { status: rollout.status, instanceId: rollout.instanceId, changedFiles: rollout.changedFiles } } : {}),
    });
  } else {
    const m = marks(ctx.out.color);
    for (const a of result.apps) {
      const what = a.status === 'skipped' ? 'unchanged' : a.status === 'pushed' ? 'built and pushed' : 'FAILED';
      ctx.out.result(`${a.status === 'failed' ? m.fail : m.ok} ${a.id}  ${what}  ${a.image ?? `${a.repository}:${a.tag}`}`);
    }
    if (rollout) {
      ctx.out.result(
        rollout.status === 'unchanged'
          ? `${m.ok} rollout: host ${rollout.instanceId} already serves these images`
          : `${m.ok} rollout: host ${rollout.instanceId} accepted the new config (${rollout.changedFiles.join(', ') || 'no file changes'})`,
      );
    }
  }
  if (result.failed > 0) {
    const message = `${plural(result.failed, 'app')} failed to build or push; the others were pushed${result.applied ? '' : ' but not rolled out'}`;
    if (json) throw new QuietExit(ExitCode.Failure);
    throw new WorkError(message, { hint: 'fix the failures above and run `shinykit push` again (unchanged apps are skipped)' });
  }
}
