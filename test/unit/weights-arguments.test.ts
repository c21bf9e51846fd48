import { describe, expect, it } from 'vitest';
import { WeightsError } from '../../scripts/lib/errors.ts';
import { parseWeightsArguments } from '../../scripts/lib/weights-arguments.ts';

describe('parseWeightsArguments', () => {
  it('publishes the committed model to the local bucket by default', () => {
    expect(parseWeightsArguments(['publish'])).toEqual({
      kind: 'publish',
      dir: 'models/default',
      target: { mode: 'local' },
    });
  });

  it('reads --dir, --persist-to and --remote, with or without =', () => {
    expect(parseWeightsArguments(['publish', '--dir=out/run1', '--persist-to', '/tmp/state'])).toEqual({
      kind: 'publish',
      dir: 'out/run1',
      target: { mode: 'local', persistTo: '/tmp/state' },
    });
    expect(parseWeightsArguments(['list', '--remote'])).toEqual({ kind: 'list', target: { mode: 'remote' } });
  });

  it('takes the rollback version as a positional argument', () => {
    expect(parseWeightsArguments(['rollback', 'abc123', '--local'])).toEqual({
      kind: 'rollback',
      version: 'abc123',
      target: { mode: 'local' },
    });
  });

  it('shows help without a command or with --help', () => {
    expect(parseWeightsArguments([])).toEqual({ kind: 'help' });
    expect(parseWeightsArguments(['publish', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['publish', '--local', '--remote'], 'choose either --local or --remote'],
    [['publish', '--remote', '--persist-to', 'x'], '--persist-to only applies to --local'],
    [['publish', '--dir'], '--dir needs a value'],
    [['publish', 'models/default'], 'unexpected argument models/default'],
    [['publish', '--force'], 'unknown option --force'],
    [['rollback'], 'rollback needs the VERSION'],
    [['rollback', 'a', 'b'], 'unexpected argument b'],
    [['list', 'x'], 'list takes no export or version'],
    [['deploy'], 'unknown command deploy'],
  ])('refuses %j with one clear line', (argv, message) => {
    expect(() => parseWeightsArguments(argv)).toThrow(WeightsError);
    expect(() => parseWeightsArguments(argv)).toThrow(message);
  });
});
