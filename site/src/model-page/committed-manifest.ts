/// <reference types="vite/client" />
import { type ModelManifest, ModelManifestSchema } from '../../../core/manifest.ts';

// A glob rather than a plain import: the site still builds (and fetches from the API at run time) when no
// model has been committed yet.
const found = import.meta.glob<unknown>('../../../models/default/manifest.json', {
  eager: true,
  import: 'default',
});

/**
 * The manifest of the committed default model, read and checked against the manifest schema at build time,
 * or null when there is none.
 */
export function committedManifest(): ModelManifest | null {
  const json = Object.values(found)[0];
  return json === undefined ? null : ModelManifestSchema.parse(json);
}

const reliability = import.meta.glob<string>('../../../models/default/reliability.svg', {
  eager: true,
  query: '?raw',
  import: 'default',
});

/** The committed model's reliability diagram (SVG text), or null for models exported without one. */
export function committedReliabilitySvg(): string | null {
  return Object.values(reliability)[0] ?? null;
}
