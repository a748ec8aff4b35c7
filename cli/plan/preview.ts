/**
 * What `apply` would put on the host, rendered now with placeholder stack
 * outputs and image references (documentation addresses, an all-zero digest):
 * the shape is real, the values are not.
 */
import type { Config } from '../../lib/config/index.js';
import { placeholderImages, placeholderOutputs, RENDER_FILES, RenderError, renderConfigs } from '../../lib/render/index.js';

export interface ConfigPreview {
  /** Always true: these are not the deployment's values. */
  readonly placeholder: true;
  readonly outputs: Readonly<Record<string, string>>;
  readonly images: Readonly<Record<string, string>>;
  /** Keyed by the path `render --out` would write; empty when rendering failed. */
  readonly files: Readonly<Record<string, string>>;
  /** Why the configs cannot be rendered (apply would fail the same way). */
  readonly problems?: readonly string[];
}

export const PREVIEW_SOURCE = 'shinykit plan (PREVIEW with placeholder outputs and images, not deployable)';

/** `region`: the one plan prices, so the preview's Cognito and ECR addresses match it. */
export function previewConfigs(cfg: Config, region?: string): ConfigPreview {
  const outputs = placeholderOutputs(region ? { ...cfg, region } : cfg);
  const images = placeholderImages(cfg, outputs);
  let rendered;
  try {
    rendered = renderConfigs({ config: cfg, outputs, images, source: PREVIEW_SOURCE });
  } catch (err) {
    // The rest of the plan is still worth showing; the problems are printed in the preview's place.
    if (!(err instanceof RenderError)) throw err;
    return { placeholder: true, outputs, images, files: {}, problems: err.problems };
  }
  return {
    placeholder: true,
    outputs,
    images,
    files: { [RENDER_FILES.nginx]: rendered.nginx, [RENDER_FILES.application]: rendered.application },
  };
}
