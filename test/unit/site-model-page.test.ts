import { describe, expect, it } from 'vitest';
import { formatAccuracy, formatBytes } from '../../site/src/model-page/charts.ts';
import { describeServedModel } from '../../site/src/model-page/served-model.ts';

describe('formatting', () => {
  it('writes sizes and accuracies for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5_300)).toBe('5.3 KB');
    expect(formatBytes(221_500)).toBe('222 KB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatAccuracy(0.99412)).toBe('99.41%');
  });
});

describe('describeServedModel', () => {
  it('says nothing when the API serves the version the page was built with, or answers nonsense', () => {
    expect(describeServedModel({ version: 'v1' }, 'v1')).toBeNull();
    expect(describeServedModel(null, 'v1')).toBeNull();
    expect(describeServedModel({ version: 3 }, 'v1')).toBeNull();
  });

  it('points out a version published after the build', () => {
    expect(describeServedModel({ version: 'v2' }, 'v1')).toMatch(/now serves model v2.*describe v1/);
  });

  it('names the served version when the page was built without a model', () => {
    expect(describeServedModel({ version: 'v2' }, null)).toBe('The API serves model v2.');
  });
});
