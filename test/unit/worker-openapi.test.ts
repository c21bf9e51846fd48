import { readFileSync } from 'node:fs';
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

  it("names the repository's licence: LICENSE, package.json and the document agree", () => {
    const root = new URL('../../', import.meta.url);
    const { license } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      license?: string;
    };
    expect(license).toBe('MIT');
    expect(readFileSync(new URL('LICENSE', root), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) 2026 Digit Edge contributors\n/,
    );
    expect(buildOpenApiDocument().info.license).toMatchObject({ name: license });
  });

  it('documents every endpoint, each input form and the problem answers', () => {
    const document = buildOpenApiDocument();
    const paths = document.paths ?? {};
    expect(Object.keys(paths).sort()).toEqual([
      '/api/feedback',
      '/api/feedback/stats',
      '/api/health',
      '/api/health/live',
      '/api/health/ready',
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
    for (const status of ['400', '413', '415', '422', '429', '503']) {
      expect(Object.keys(responses[status]?.content ?? {})).toEqual(['application/problem+json']);
    }
    // /api/read counts against the predictions' rate limit, so it can answer 429 too.
    expect(Object.keys(read?.responses ?? {})).toContain('429');
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'PixelsInput',
        'ImageInput',
        'BatchBody',
        'PredictResponse',
        'Problem',
        'Health',
        'Live',
        'Ready',
        'Model',
        'FeedbackBody',
        'FeedbackCreated',
        'FeedbackStats',
      ]),
    );
  });

  it('documents the feedback endpoint: its strict body, 201/200 and its problems', () => {
    const document = buildOpenApiDocument();
    const post = document.paths?.['/api/feedback']?.post;
    expect(post?.operationId).toBe('postFeedback');
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual([
      '200',
      '201',
      '400',
      '404',
      '413',
      '415',
      '429',
    ]);
    const body = document.components?.schemas?.FeedbackBody as {
      required?: string[];
      additionalProperties?: boolean;
      properties?: Record<string, { enum?: string[]; minimum?: number; maximum?: number }>;
    };
    expect(body.required?.sort()).toEqual(['label', 'modelVersion', 'pixels', 'predicted', 'source']);
    expect(body.additionalProperties).toBe(false);
    expect(body.properties?.source?.enum).toEqual(['pad', 'api']);
    expect(body.properties?.label).toMatchObject({ minimum: 0, maximum: 9 });
  });
});
