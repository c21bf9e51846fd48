/**
 * The sentence the model page shows when `GET /api/model` names another version than the one the page was
 * built with (weights republished since), or null when there is nothing to say.
 */
export function describeServedModel(body: unknown, builtVersion: string | null): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const { version } = body as { version?: unknown };
  if (typeof version !== 'string' || version.length === 0) return null;
  if (builtVersion === null) return `The API serves model ${version}.`;
  if (version === builtVersion) return null;
  return `The API now serves model ${version}, published after this page was built; the figures below describe ${builtVersion}.`;
}
