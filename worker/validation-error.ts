/**
 * Turns a failed zod validation into the API's 400 problem: `invalid_pixels` when the offending item
 * carries `pixels`, `invalid_version` for the query's `version`, else `invalid_request`. Union failures (pixels or
 * image) are explained with the branch the client evidently meant, not zod's generic "Invalid input".
 */

import { ApiError } from './errors.ts';

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly errors?: readonly (readonly Issue[])[];
}

const valueAt = (data: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    data,
  );

const hasPixels = (value: unknown): boolean =>
  value !== null && typeof value === 'object' && 'pixels' in value;

/** The issues of the union branch matching what the client sent (branch 0 = pixels, 1 = image). */
function explain(issue: Issue, data: unknown): Issue[] {
  if (issue.code !== 'invalid_union' || issue.errors === undefined) return [issue];
  const target = valueAt(data, issue.path);
  const meant =
    target !== null && typeof target === 'object' && 'image' in target && !('pixels' in target) ? 1 : 0;
  const isObject = target !== null && typeof target === 'object' && !Array.isArray(target);
  if (!isObject || ('image' in target && 'pixels' in target) || !('image' in target || 'pixels' in target)) {
    return [
      {
        path: issue.path,
        message: 'expected an object with either "pixels" (784 numbers) or "image" (base64 PNG/JPEG)',
      },
    ];
  }
  return (issue.errors[meant] ?? []).map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

export function validationError(target: string, issues: readonly Issue[], data: unknown): ApiError {
  const explained = issues.flatMap((issue) => explain(issue, data)).slice(0, 5);
  const detail = explained
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  if (target === 'query' && explained.every((issue) => issue.path[0] === 'version'))
    return new ApiError(400, 'invalid_version', 'Invalid version', detail.slice(0, 1000));
  const aboutPixels = explained.some(
    (issue) =>
      issue.path.includes('pixels') &&
      hasPixels(valueAt(data, issue.path.slice(0, issue.path.indexOf('pixels')))),
  );
  return new ApiError(
    400,
    aboutPixels ? 'invalid_pixels' : 'invalid_request',
    aboutPixels ? 'Invalid pixels' : 'Invalid request',
    detail.slice(0, 1000),
  );
}
