/**
 * Cognito pre-token-generation trigger (Node.js ESM, no dependencies): maps a
 * federated user's provider groups to the kit's groups in `cognito:groups`, so
 * ShinyProxy's access-groups work unchanged. See groups.mjs and docs/identity.md.
 */
import { applyToEvent, loadSettings } from './groups.mjs';

// Read once per container: the mapping changes only with a deployment.
const settings = loadSettings(process.env);

export const handler = async (event) => applyToEvent(event, settings);
