/** How the model page and its live-feedback panel write sizes and accuracies (the charts: core/charts.ts). */

/** Human-readable byte size: "221 KB", "1.2 MB" (decimal units, as the size targets are stated). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(bytes < 10_000 ? 1 : 0)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Accuracy as a percentage with two decimals: 0.99412 → "99.41%". */
export function formatAccuracy(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}
