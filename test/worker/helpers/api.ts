import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';

export const BASE = 'http://digit-edge.test';

/** A request to the Worker under test, through its real fetch handler. */
export function api(path: string, init?: RequestInit): Promise<Response> {
  return (exports as unknown as { default: Fetcher }).default.fetch(`${BASE}${path}`, init);
}

export function postJson(path: string, body: unknown): Promise<Response> {
  return api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface PredictionBody {
  digit: number;
  confidence: number;
  probabilities: number[];
  uncertain: boolean;
  isDigit: boolean | null;
  model: { version: string };
}

/** Checks a problem+json answer and returns its body. */
export async function expectProblem(
  response: Response,
  status: number,
  code: string,
): Promise<{ detail: string }> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = JSON.parse(text) as {
    type: string;
    title: string;
    status: number;
    detail: string;
    code: string;
  };
  expect(body).toMatchObject({ status, code });
  expect(body.type).toMatch(/^https:\/\//);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}
