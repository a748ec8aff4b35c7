/**
 * `shinykit destroy`: say what goes and what stays (and what staying costs), ask,
 * then `cdk destroy`. `--purge` also removes what the stacks keep on purpose, after
 * a second confirmation that names them.
 */
import { Command } from 'commander';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stderr, stdin } from 'node:process';
import { createInterface } from 'node:readline/promises';
import type { Config } from '../../lib/config/index.js';
import { stackNames } from '../../lib/outputs.js';
import { buildInventory, formatInventory, type Inventory } from '../destroy/inventory.js';
import { purge, readLiveDetails, type PurgeStep } from '../destroy/purge.js';
import { sdk, type AwsClients } from '../lib/aws.js';
import { cdkInvocation, runCdk } from '../lib/cdk.js';
import { createContext, type CommandContext } from '../lib/context.js';
import { UsageError } from '../lib/errors.js';
import type { Runner } from '../lib/exec.js';
import { loadPrices } from '../plan/prices.js';
import type { SynthesizedStack } from '../plan/synth.js';
import type { CfnTemplate } from '../plan/template.js';

export interface DestroyOptions {
  readonly purge?: boolean;
  /** Do not ask (needed when no one is at a terminal). */
  readonly yes?: boolean;
}

/** The person at the terminal; injected so tests can answer. */
export interface Asker {
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

export interface DestroyDeps {
  readonly runner?: Runner;
  readonly asker?: Asker;
  readonly synthesize?: (cfg: Config, opts: { configDir: string; outdir: string }) => Promise<ReadonlyArray<Pick<SynthesizedStack, 'name' | 'template'>>>;
}

export interface DestroyResult {
  readonly destroyed: boolean;
  readonly inventory: Inventory;
  readonly purged?: readonly PurgeStep[];
}

export async function runDestroy(opts: DestroyOptions, ctx: CommandContext, deps: DestroyDeps = {}): Promise<DestroyResult> {
  const cfg = ctx.config();
  const outputs = await ctx.outputs();
  const asker = deps.asker ?? terminalAsker(ctx.out.canPrompt);
  if (!opts.yes && !asker.interactive) {
    throw new UsageError(`destroy deletes the stacks of ${cfg.name} and asks first, but no one is at a terminal to answer`, {
      hint: `pass --yes to destroy without asking${opts.purge ? ' (with --purge: the user pool, images and address too)' : ''}`,
    });
  }

  const names = Object.values(stackNames(cfg));
  const projectDir = dirname(resolve(ctx.options.config));
  const assembly = join(projectDir, 'cdk.out');
  let stacks: ReadonlyArray<{ name: string; template: CfnTemplate }> | undefined = readTemplates(assembly, names);
  if (!stacks) {
    // No templates from the last deploy here: synthesize them (offline) where cdk would.
    ctx.out.info('Synthesizing the stacks offline to see what they hold...');
    const synth = deps.synthesize ?? (async (c, o) => (await import('../plan/synth.js')).synthesize(c, o));
    stacks = await synth(cfg, { configDir: projectDir, outdir: assembly });
  }
  ctx.out.info('Asking AWS what the kept resources hold...');
  const prices = loadPrices();
  const aws = await ctx.aws();
  const rough = buildInventory({ config: cfg, stacks, outputs, prices });
  const inventory = buildInventory({ config: cfg, stacks, outputs, prices, details: await readLiveDetails(aws, rough.kept) });
  ctx.out.info('');
  for (const line of formatInventory(inventory)) ctx.out.info(line);
  ctx.out.info('');

  if (!opts.yes) {
    const answer = await asker.ask(`Delete the stacks ${names.join(' and ')}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      ctx.out.info('Cancelled: nothing was deleted.');
      return { destroyed: false, inventory };
    }
    if (opts.purge) {
      ctx.out.info('--purge deletes these for good, with everything in them:');
      for (const k of inventory.kept) ctx.out.info(`  ${k.label}`);
      const typed = await asker.ask(`Type the project name (${cfg.name}) to delete them too: `);
      if (typed.trim() !== cfg.name) {
        ctx.out.info('Cancelled: nothing was deleted (run without --purge to keep the resources above).');
        return { destroyed: false, inventory };
      }
    }
  }

  // The data stack has termination protection (lib/app.ts), which makes `cdk destroy` fail;
  // the user has just confirmed the deletion, so lift it for this one stack.
  await allowStackDeletion(aws, stackNames(cfg).data);
  await runCdk(cdkInvocation('destroy', ctx.options, ['--force'], { env: ctx.env }), deps.runner);
  if (!opts.purge) return { destroyed: true, inventory };

  const purged = await purge(aws, inventory.kept, (line) => ctx.out.info(line));
  // Everything the outputs file named is gone; a stale file would only mislead later commands.
  rmSync(ctx.options.outputs, { force: true });
  return { destroyed: true, inventory, purged };
}

export function formatDestroy(result: DestroyResult, cfg: Config): string {
  if (!result.destroyed) return '';
  const lines = [`Deleted the stacks ${Object.values(stackNames(cfg)).join(' and ')}.`];
  if (result.purged) {
    for (const step of result.purged) lines.push(`  ${step.outcome.padEnd(12)} ${step.label}${step.note ? ` (${step.note})` : ''}`);
    return lines.join('\n');
  }
  const monthly = result.inventory.kept.reduce((sum, k) => sum + (k.monthly ?? 0), 0);
  lines.push(
    `Kept: ${result.inventory.kept.map((k) => k.label).join('; ')}.`,
    `They cost about $${monthly.toFixed(2)} a month while they exist. A later \`npx shinykit deploy\` reuses them;` +
      ' `npx shinykit destroy --purge` removes them (the outputs file that names them is kept for that).',
  );
  return lines.join('\n');
}

/**
 * The templates `cdk deploy` last wrote to cdk.out in the project (what is deployed,
 * even if shinykit.yaml changed since); undefined unless every stack's is there.
 */
function readTemplates(dir: string, names: readonly string[]): Array<{ name: string; template: CfnTemplate }> | undefined {
  const files = names.map((name) => ({ name, file: join(dir, `${name}.template.json`) }));
  if (!files.every((f) => existsSync(f.file))) return undefined;
  try {
    return files.map((f) => ({ name: f.name, template: JSON.parse(readFileSync(f.file, 'utf8')) as CfnTemplate }));
  } catch {
    return undefined; // unreadable: synthesize instead
  }
}

function terminalAsker(canPrompt: boolean): Asker {
  return {
    interactive: canPrompt,
    ask: async (question) => {
      const rl = createInterface({ input: stdin, output: stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export function destroyCommand(): Command {
  return new Command('destroy')
    .description('delete the stacks (after listing what is deleted, what is kept and what that costs); --purge also removes what they keep')
    .option('--purge', 'also delete the retained user pool, ECR repositories, Elastic IP and Parameter Store entries (asks again, naming them)')
    .option('-y, --yes', 'do not ask (needed when not run from a terminal)')
    .action(async (opts: DestroyOptions, cmd: Command) => {
      const ctx = createContext(cmd);
      const result = await runDestroy(opts, ctx);
      const text = formatDestroy(result, ctx.config());
      if (text) ctx.out.result(text);
    });
}

/** Turns off termination protection; a stack that does not exist needs nothing. */
async function allowStackDeletion(aws: AwsClients, stack: string): Promise<void> {
  const cf = sdk.cloudformation();
  try {
    await aws.cloudformation().send(new cf.UpdateTerminationProtectionCommand({ StackName: stack, EnableTerminationProtection: false }));
  } catch (err) {
    if (!/does not exist/.test((err as Error).message)) throw err;
  }
}
