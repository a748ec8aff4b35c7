/**
 * `renderConfigs`: the exact nginx snippet and ShinyProxy application.yml the
 * host needs, from shinykit.yaml, the stack outputs and the pushed images.
 * Pure and deterministic: the same input gives byte-identical files.
 */
import { checkInput, type RenderedConfigs, type RenderInput } from './inputs.js';
import { renderNginx } from './nginx.js';
import { renderApplication } from './shinyproxy.js';

export { RenderError, RENDER_OUTPUT_KEYS, placeholderImages, placeholderOutputs } from './inputs.js';
export type { RenderedConfigs, RenderInput } from './inputs.js';

/** Where each file goes below `render --out <dir>` (mirrors /etc/nginx/conf.d and /etc/shinyproxy). */
export const RENDER_FILES = {
  nginx: 'nginx/shinyproxy.conf',
  application: 'shinyproxy/application.yml',
} as const;

/** Throws RenderError listing every problem with the input (missing output, app without image, ...). */
export function renderConfigs(input: RenderInput): RenderedConfigs {
  const values = checkInput(input);
  return {
    nginx: renderNginx(values, input.source, input.nginxVersion),
    application: renderApplication(input.config, values, input.images, input.source),
  };
}
