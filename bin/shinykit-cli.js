#!/usr/bin/env node
// The `shinykit` executable. Runs the compiled CLI (dist/, built by `npm run build`);
// from a checkout that has not been built yet, runs the TypeScript source through tsx.
import { existsSync } from 'node:fs';

// The AWS SDK warns on every run that its releases from 2027 need Node 22. That is
// about upgrading our dependency, not about the user's command: keep it off stderr,
// which belongs to the command's own messages. (An explicit setting still wins.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
