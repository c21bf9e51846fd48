/** The pad's feedback request body and the model page's live figures, as pure functions. */
import { describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { liveFeedbackView } from '../../site/src/model-page/live-feedback.ts';
import { feedbackBody } from '../../site/src/pad/feedback-client.ts';

describe('the pad’s feedback body', () => {
  it('sends the model input rounded to three decimals with both digits, version and source', () => {
    const pixels = Float32Array.from({ length: PIXEL_COUNT }, (_, i) => (i % 7) / 7);
    const body = feedbackBody({ pixels, predicted: 7, modelVersion: 'abc' }, 1);
    expect(body).toMatchObject({ label: 1, predicted: 7, modelVersion: 'abc', source: 'pad' });
    expect(body.pixels).toHaveLength(PIXEL_COUNT);
    expect(body.pixels[3]).toBe(0.429);
    expect(Object.keys(body).sort()).toEqual(['label', 'modelVersion', 'pixels', 'predicted', 'source']);
  });
});

describe('the model page’s live figures', () => {
  const stats = {
    selfReported: true,
    versions: [
      {
        version: 'new',
        received: 1234,
        saidRight: 1000,
        shareRight: 1000 / 1234,
        confusedPairs: [
          { label: 4, predicted: 9, count: 30 },
          { label: 7, predicted: 1, count: 12 },
        ],
      },
      { version: 'old', received: 0, saidRight: 0, shareRight: null, confusedPairs: [] },
    ],
  };

  it('formats each version, marking the current one', () => {
    const view = liveFeedbackView(200, stats, 'new');
    expect(view.state).toBe('ready');
    if (view.state !== 'ready') return;
    expect(view.rows[0]).toEqual({
      version: 'new',
      received: '1,234',
      shareRight: '81.0% (1000 of 1234)',
      confused: '4 read as 9 (30), 7 read as 1 (12)',
      current: true,
    });
    expect(view.rows[1]).toMatchObject({ shareRight: '—', confused: '—', current: false });
  });

  it('says so when switched off, failed, unreadable or empty', () => {
    expect(liveFeedbackView(404, null, null).state).toBe('off');
    expect(liveFeedbackView(0, null, null).state).toBe('failed');
    expect(liveFeedbackView(503, stats, null).state).toBe('failed');
    expect(liveFeedbackView(200, { versions: [{ version: 3 }] }, null).state).toBe('failed');
    expect(liveFeedbackView(200, { versions: [] }, null)).toMatchObject({ state: 'empty' });
  });
});
