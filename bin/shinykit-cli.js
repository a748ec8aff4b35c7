#!/usr/bin/env node
// The `shinykit` executable. Runs the compiled CLI (dist/, built by `npm run build`);
// from a checkout that has not been built yet, runs the TypeScript source through tsx.
import { existsSync } from 'node:fs';

// `shinykit users list | head` closes our stdout early: stop quietly, as Unix tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const compiled = new URL('../dist/cli/index.js', import.meta.url);
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../cli/index.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv);
