import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../worker/openapi.ts';

describe("the Worker's OpenAPI document", () => {
  it('is a valid OpenAPI 3.1 document according to a standard validator', async () => {
    const document = buildOpenApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every endpoint, each input form and the problem answers', () => {
    const document = buildOpenApiDocument();
    const paths = document.paths ?? {};
    expect(Object.keys(paths).sort()).toEqual([
      '/api/health',
      '/api/model',
      '/api/model/files/{name}',
      '/api/predict',
      '/api/predict/batch',
      '/api/read',
    ]);
    const read = paths['/api/read']?.post;
    expect(read?.operationId).toBe('readNumber');
    expect(
      Object.keys((read?.requestBody as { content?: object } | undefined)?.content ?? {}).sort(),
    ).toEqual(['application/json', 'image/jpeg', 'image/png', 'multipart/form-data']);
    const predict = paths['/api/predict']?.post;
    expect(
      Object.keys((predict?.requestBody as { content?: object } | undefined)?.content ?? {}).sort(),
    ).toEqual(['application/json', 'image/jpeg', 'image/png', 'multipart/form-data']);
    const responses = predict?.responses as Record<string, { content?: Record<string, unknown> }>;
    for (const status of ['400', '413', '415', '422', '503']) {
      expect(Object.keys(responses[status]?.content ?? {})).toEqual(['application/problem+json']);
    }
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'PixelsInput',
        'ImageInput',
        'BatchBody',
        'PredictResponse',
        'Problem',
        'Health',
        'Model',
      ]),
    );
  });
});
