/**
 * `shinykit render`: write the nginx snippet and ShinyProxy application.yml the
 * host needs, from shinykit.yaml, the stack outputs and the pushed images.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { RENDER_FILES, type RenderedConfigs } from '../../lib/render/index.js';
import { writeFilesAtomically } from '../lib/atomic-write.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError, WorkError } from '../lib/errors.js';
import { renderForDeployment } from '../lib/render-inputs.js';

export interface RenderOptions {
  /** Directory to write into; mutually exclusive with `stdout`. */
  readonly out?: string;
  readonly stdout?: boolean;
  readonly allowMissingImages?: boolean;
}

export interface RenderResult {
  readonly files: RenderedConfigs;
  readonly images: Record<string, string>;
  /** The paths written (empty with --stdout). */
  readonly written: string[];
}

export async function runRender(opts: RenderOptions, ctx: CommandContext): Promise<RenderResult> {
  if (opts.out !== undefined && opts.stdout) throw new UsageError('pass either --out <dir> or --stdout, not both');
  if (opts.out === undefined && !opts.stdout) {
    throw new UsageError('say where the files go', { hint: 'pass --out <dir> to write them, or --stdout to print them' });
  }
  const { files, images } = await renderForDeployment(ctx, { allowMissingImages: opts.allowMissingImages });
  const written = opts.out === undefined ? [] : writeAll(opts.out, files);
  return { files, images, written };
}

/** Writes both files or neither, so a failure never leaves a half-written or mismatched pair behind. */
export function writeAll(outDir: string, files: RenderedConfigs): string[] {
  const entries = (Object.keys(RENDER_FILES) as Array<keyof typeof RENDER_FILES>).map((k) => [join(outDir, RENDER_FILES[k]), files[k]] as const);
  try {
    writeFilesAtomically(entries);
  } catch (err) {
    throw new WorkError(`could not write the rendered files to ${outDir}: ${(err as Error).message}`, { cause: err });
  }
  return entries.map(([path]) => path);
}

export function renderCommand(): Command {
  return new Command('render')
    .description('write the nginx and ShinyProxy configuration for the host (from shinykit.yaml, the stack outputs and the pushed images)')
    .option('--out <dir>', `write <dir>/${RENDER_FILES.nginx} and <dir>/${RENDER_FILES.application}`)
    .option('--stdout', 'print both files instead of writing them')
    .option('--allow-missing-images', 'leave apps without a pushed image out instead of failing')
    .action(async (opts: RenderOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      const result = await runRender(opts, ctx);
      if (opts.stdout) {
        ctx.out.result(`==> ${RENDER_FILES.nginx} <==`);
        ctx.out.result(result.files.nginx);
        ctx.out.result(`==> ${RENDER_FILES.application} <==`);
        ctx.out.result(result.files.application);
        return;
      }
      for (const path of result.written) ctx.out.result(`wrote ${path}`);
    });
}
