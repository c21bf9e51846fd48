import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { confidenceWord, failureMessage, formatPercent } from '../../site/src/pad/format.ts';
import { paintModelView } from '../../site/src/pad/model-view.ts';
import { PredictionError, parsePrediction, requestPrediction } from '../../site/src/pad/prediction-client.ts';

const answer = {
  digit: 3,
  confidence: 0.9,
  probabilities: [0, 0, 0.05, 0.9, 0, 0, 0, 0.05, 0, 0],
  model: { version: 'abc123' },
};

/** A real HTTP server whose behaviour each test picks by path, standing in for the Worker's contract. */
let server: Server;
let origin: string;
const received: unknown[] = [];

function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    switch (request.url) {
      case '/ok':
        return send(200, 'application/json', JSON.stringify(answer));
      case '/bad-request':
        return send(
          400,
          'application/problem+json',
          JSON.stringify({
            type: 'about:blank',
            title: 'Invalid pixels',
            status: 400,
            detail: 'pixels must hold 784 numbers',
            code: 'invalid_pixels',
          }),
        );
      case '/unavailable':
        return send(503, 'application/problem+json', JSON.stringify({ title: 'No model', status: 503 }));
      case '/html':
        return send(200, 'text/html', '<h1>hello</h1>');
      case '/slow':
        return void setTimeout(() => send(200, 'application/json', JSON.stringify(answer)), 2000);
      default:
        return send(404, 'text/plain', 'not found');
    }
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const pixels = Float32Array.from({ length: PIXEL_COUNT }, (_, i) => (i % 7) / 6);

describe('requestPrediction', () => {
  it('posts the pixels as JSON, rounded to three decimals, and returns the answer', async () => {
    const prediction = await requestPrediction(pixels, { endpoint: `${origin}/ok` });
    expect(prediction).toEqual(answer);
    const body = received.at(-1) as { pixels: number[] };
    expect(body.pixels).toHaveLength(PIXEL_COUNT);
    expect(body.pixels[1]).toBe(0.167);
    expect(body.pixels[6]).toBe(1);
  });

  it('reports a 4xx as rejected, with the problem detail', async () => {
    const failure = await requestPrediction(pixels, { endpoint: `${origin}/bad-request` }).catch(
      (error) => error,
    );
    expect(failure).toBeInstanceOf(PredictionError);
    expect(failure).toMatchObject({
      failure: 'rejected',
      status: 400,
      message: 'pixels must hold 784 numbers',
    });
  });

  it('reports a 5xx as a server failure', async () => {
    await expect(requestPrediction(pixels, { endpoint: `${origin}/unavailable` })).rejects.toMatchObject({
      failure: 'server',
      status: 503,
    });
  });

  it('treats an answer of the wrong shape as a server failure', async () => {
    await expect(requestPrediction(pixels, { endpoint: `${origin}/html` })).rejects.toMatchObject({
      failure: 'server',
    });
  });

  it('gives up on a slow API after the timeout', async () => {
    await expect(
      requestPrediction(pixels, { endpoint: `${origin}/slow`, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      failure: 'timeout',
    });
  });

  it('reports a closed port as unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expect(requestPrediction(pixels, { endpoint: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({
      failure: 'unreachable',
    });
  });
});

describe('parsePrediction', () => {
  it('accepts the documented shape', () => {
    expect(parsePrediction(answer)).toEqual(answer);
  });

  it.each([
    ['null', null],
    ['a string', 'seven'],
    ['a fractional digit', { ...answer, digit: 3.5 }],
    ['nine probabilities', { ...answer, probabilities: answer.probabilities.slice(1) }],
    ['a non-numeric probability', { ...answer, probabilities: [...answer.probabilities.slice(1), '0'] }],
    ['no model version', { ...answer, model: {} }],
  ])('refuses %s', (_, body) => {
    expect(parsePrediction(body)).toBeNull();
  });
});

describe('formatting', () => {
  it('shows whole percents, without rounding a tiny chance to zero or a near-certainty to 100', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.004)).toBe('<1%');
    expect(formatPercent(0.456)).toBe('46%');
    expect(formatPercent(0.998)).toBe('>99%');
    expect(formatPercent(1)).toBe('100%');
  });

  it('says how sure the model is in words', () => {
    expect(confidenceWord(0.97)).toBe('confident');
    expect(confidenceWord(0.7)).toBe('fairly sure');
    expect(confidenceWord(0.3)).toBe('unsure');
  });

  it('has a plain message for every failure, and only retries those that can recover', () => {
    for (const failure of ['timeout', 'unreachable', 'server'] as const)
      expect(failureMessage(failure)).toMatch(/Trying again/);
    expect(failureMessage('rejected')).not.toMatch(/Trying again/);
  });
});

describe('paintModelView', () => {
  it('blends from paper to ink by each value, opaque', () => {
    const target = new Uint8ClampedArray(3 * 4);
    paintModelView(target, [0, 0.5, 1], [255, 255, 255], [10, 20, 30]);
    expect(Array.from(target)).toEqual([10, 20, 30, 255, 133, 138, 143, 255, 255, 255, 255, 255]);
  });
});
