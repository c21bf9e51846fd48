/** Pure parsing of `npm run bench -- [--quick] [--only a,b] [--out FILE]`. */
import { type OptionTable, optionHelp, parseCommandLine } from '../../scripts/lib/command-line.ts';

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

const OPTIONS = {
  quick: { type: 'boolean', help: 'fewer iterations and 3 s load tests (rough figures, for development)' },
  only: {
    type: 'string',
    value: 'LIST',
    help: `only these sections of ${SECTIONS.join(',')} (with the floor where a target is a ratio to it)`,
  },
  out: {
    type: 'string',
    value: 'FILE',
    help: `write the report here; a full run writes ${DEFAULT_REPORT}, quick or partial runs nothing`,
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies OptionTable;

/**
 * @example parseBenchArgs(['--only', 'http,floor', '--quick'])
 * // { sections: ['floor', 'http'], quick: true, out: null, help: false }
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseCommandLine(argv, OPTIONS, (message) => new BenchArgumentError(message));
  let only: Section[] | null = null;
  if (values.only !== undefined) {
    const names = values.only
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const unknown = names.filter((name) => !isSection(name));
    if (unknown.length > 0 || names.length === 0) {
      throw new BenchArgumentError(
        `--only takes a comma-separated list of ${SECTIONS.join(', ')}; got ${unknown.join(', ') || 'nothing'}`,
      );
    }
    only = names.filter(isSection);
  }
  const quick = values.quick ?? false;
  const chosen = new Set<Section>(only ?? SECTIONS);
  if (NEEDS_FLOOR.some((section) => chosen.has(section))) chosen.add('floor');
  const full = only === null && !quick;
  return {
    sections: SECTIONS.filter((section) => chosen.has(section)),
    quick,
    out: values.out ?? (full ? DEFAULT_REPORT : null),
    help: values.help ?? false,
  };
}

export const USAGE = `Usage: npm run bench -- [options]\n${optionHelp(OPTIONS)}`;
