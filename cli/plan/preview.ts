/**
 * What `apply` would put on the host, rendered now with placeholder stack
 * outputs and image references (documentation addresses, an all-zero digest):
 * the shape is real, the values are not.
 */
import type { Config } from '../../lib/config.js';
import { placeholderImages, placeholderOutputs, RENDER_FILES, renderConfigs } from '../../lib/render/index.js';

export interface ConfigPreview {
  /** Always true: these are not the deployment's values. */
  readonly placeholder: true;
  readonly outputs: Readonly<Record<string, string>>;
  readonly images: Readonly<Record<string, string>>;
  /** Keyed by the path `render --out` would write. */
  readonly files: Readonly<Record<string, string>>;
}

export const PREVIEW_SOURCE = 'shinykit plan (PREVIEW with placeholder outputs and images, not deployable)';

export function previewConfigs(cfg: Config): ConfigPreview {
  const outputs = placeholderOutputs(cfg);
  const images = placeholderImages(cfg, outputs);
  const rendered = renderConfigs({ config: cfg, outputs, images, source: PREVIEW_SOURCE });
  return {
    placeholder: true,
    outputs,
    images,
    files: { [RENDER_FILES.nginx]: rendered.nginx, [RENDER_FILES.application]: rendered.application },
  };
}
