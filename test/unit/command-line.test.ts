import { describe, expect, it } from 'vitest';
import { optionHelp, parseCommandLine } from '../../scripts/lib/command-line.ts';

const table = {
  out: { type: 'string', value: 'DIR', help: 'where it goes' },
  quick: { type: 'boolean', help: 'rough figures' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const;
const fail = (message: string) => new Error(message);

describe('the command-line helper', () => {
  it('writes --help from the option table, aligned', () => {
    expect(optionHelp(table).split('\n')).toEqual([
      '  --out DIR   where it goes',
      '  --quick     rough figures',
      '  -h, --help  show this help',
    ]);
  });

  it('parses with parseArgs: inline and separate values, short flags', () => {
    expect(parseCommandLine(['--out=a', '--quick', '-h'], table, fail).values).toEqual({
      out: 'a',
      quick: true,
      help: true,
    });
    expect(parseCommandLine(['--out', 'b'], table, fail).values.out).toBe('b');
  });

  it.each([
    [['--out'], '--out needs a value'],
    [['--out='], '--out needs a value'],
    [['--fast'], 'unknown option --fast'],
    [['extra'], 'unexpected argument extra'],
  ])('refuses %j with one short line', (args, message) => {
    expect(() => parseCommandLine(args, table, fail)).toThrow(new Error(message));
  });
});
