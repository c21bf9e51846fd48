/** Pure parsing of `npm run bench -- [--quick] [--only a,b] [--out FILE]`. */

export const SECTIONS = [
  'floor',
  'workerd',
  'http',
  'cold',
  'size',
  'train',
  'memory',
  'numbers',
  'photos',
  'decode',
] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Sections to run, in SECTIONS order (the floor is added where a target needs it). */
  readonly sections: readonly Section[];
  /** Fewer iterations and shorter load tests, for development: the figures are rough. */
  readonly quick: boolean;
  /** Where the report goes; null: nowhere (partial or quick runs never overwrite BENCHMARKS.md). */
  readonly out: string | null;
  readonly help: boolean;
}

export class BenchArgumentError extends Error {
  override readonly name = 'BenchArgumentError';
}

export const DEFAULT_REPORT = 'BENCHMARKS.md';

/** Sections whose targets are ratios against the floor measured in the same run. */
const NEEDS_FLOOR: readonly Section[] = ['workerd', 'http'];

const isSection = (name: string): name is Section => (SECTIONS as readonly string[]).includes(name);

/**
 * @example parseBenchArgs(['--only', 'http,floor', '--quick'])
 * // { sections: ['floor', 'http'], quick: true, out: null, help: false }
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let only: Section[] | null = null;
  let quick = false;
  let out: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') throw new BenchArgumentError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--quick':
        quick = true;
        break;
      case '--only': {
        const names = value()
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
        const unknown = names.filter((name) => !isSection(name));
        if (unknown.length > 0 || names.length === 0) {
          throw new BenchArgumentError(
            `--only takes a comma-separated list of ${SECTIONS.join(', ')}; got ${unknown.join(', ') || 'nothing'}`,
          );
        }
        only = names as Section[];
        break;
      }
      case '--out':
        out = value();
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new BenchArgumentError(`unknown argument ${arg} (try --help)`);
    }
  }
  const chosen = new Set<Section>(only ?? SECTIONS);
  if (NEEDS_FLOOR.some((section) => chosen.has(section))) chosen.add('floor');
  const full = only === null && !quick;
  return {
    sections: SECTIONS.filter((section) => chosen.has(section)),
    quick,
    out: out ?? (full ? DEFAULT_REPORT : null),
    help,
  };
}

export const USAGE = `Usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--out FILE]

  --quick   fewer iterations and 3 s load tests (rough figures, for development)
  --only    run only these sections (the floor runs too where a target is a ratio to it)
  --out     write the report here; a full run writes ${DEFAULT_REPORT}, quick or partial runs write
            nothing unless --out is given`;
