/** `npm run build` runs this (compiled) to write dist/cli/commands.json; see manifest.ts. */
import { writeFileSync } from 'node:fs';
import { buildManifest, MANIFEST_URL } from './manifest.js';

writeFileSync(MANIFEST_URL, `${JSON.stringify(await buildManifest(), null, 2)}\n`);
