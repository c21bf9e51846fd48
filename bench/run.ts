/**
 * `npm run bench`: measures the whole system against its targets, prints a table and writes BENCHMARKS.md.
 * Every target is a ratio against a baseline measured in this same run, or an absolute size. Missed targets
 * are reported, never fatal; only a section that could not be measured at all makes the exit status 1.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { coldStartSection, measureColdStart } from './cold-start.ts';
import { decodeSection, measureDecode } from './decode.ts';
import { createFloorMeter, floorSection, measureFloor } from './floor.ts';
import { type HttpResult, httpSection, measureHttp } from './http.ts';
import { BenchArgumentError, type BenchOptions, parseBenchArgs, type Section, USAGE } from './lib/args.ts';
import {
  buildWorkerBundle,
  runCommand,
  startBundledWorker,
  type WorkerBundle,
} from './lib/bundled-worker.ts';
import { type CommittedModel, REPO_ROOT, readCommittedModel } from './lib/committed-model.ts';
import { BENCH_WORKER_CONFIG, createSeededState, type SeededState, startServer } from './lib/local-state.ts';
import { describeMachine } from './lib/machine.ts';
import { type Digits, readTestDigits } from './lib/mnist-inputs.ts';
import { benchmarksPage, formatNumber, type SectionResult, terminalTable } from './lib/report.ts';
import { measureNumbers, numbersSection } from './numbers.ts';
import { measurePhotos, photosSection } from './photos.ts';
import { measureSizes, sizesSection } from './sizes.ts';
import { measureTraining, trainingSection } from './training.ts';
import {
  measureMemory,
  measureRequestProfile,
  measureWorkerdInference,
  memorySection,
  workerdSection,
} from './workerd.ts';

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

interface Context {
  readonly options: BenchOptions;
  readonly model: CommittedModel;
  readonly digits: Digits;
  readonly state: () => Promise<SeededState>;
  /** The Worker as `wrangler deploy --dry-run` builds it, built once per run when first needed. */
  readonly bundle: () => Promise<WorkerBundle>;
  /** The same for the bench entry (bench/workerd). */
  readonly benchBundle: () => Promise<WorkerBundle>;
}

/** Floor rounds taken in Node between other measurements, so both see the same machine load. */
const pairedFloorPlan = (quick: boolean) => ({ singles: quick ? 100 : 500, batches: quick ? 4 : 20 });

async function runFloor(context: Context): Promise<SectionResult[]> {
  return [floorSection(await measureFloor(context.model, context.digits, context.options.quick))];
}

async function runInWorkerd(context: Context, which: ReadonlySet<Section>): Promise<SectionResult[]> {
  const { quick } = context.options;
  const server = await startBundledWorker(await context.benchBundle(), await context.state());
  try {
    const results: SectionResult[] = [];
    if (which.has('workerd')) {
      log('inference inside workerd, alternating with floor rounds in Node');
      const meter = await createFloorMeter('wasm', context.model, context.digits.pixels, quick ? 30 : 200);
      const inference = await measureWorkerdInference(server, context.digits, quick, () =>
        meter.round(pairedFloorPlan(quick)),
      );
      meter.dispose();
      log('request profile inside workerd');
      const profile = await measureRequestProfile(server, context.digits, quick);
      results.push(workerdSection(inference, meter.result(), profile));
    }
    if (which.has('memory')) {
      log('memory: predictions through the app inside workerd');
      results.push(memorySection(await measureMemory(server, context.digits, quick)));
    }
    return results;
  } finally {
    await server.stop();
  }
}

async function runHttp(context: Context): Promise<SectionResult[]> {
  const { quick } = context.options;
  const bundle = await context.bundle();
  // The floor the target is computed from, measured just before the load.
  const meter = await createFloorMeter('wasm', context.model, context.digits.pixels, quick ? 30 : 200);
  meter.round({ singles: quick ? 200 : 1000, batches: 1 });
  meter.dispose();
  const floorSingleMs = meter.result().single.median;
  const results: HttpResult[] = [];
  const dev = await startServer(await context.state(), 'app');
  try {
    results.push(
      await measureHttp({ url: dev.url, name: 'wrangler dev (npm start)' }, context.digits, quick),
    );
  } finally {
    await dev.stop();
  }
  const deployed = await startBundledWorker(bundle, await context.state());
  try {
    results.push(
      await measureHttp({ url: deployed.url, name: 'deploy bundle in workerd' }, context.digits, quick),
    );
  } finally {
    await deployed.stop();
  }
  return [httpSection(results, floorSingleMs)];
}

function otherLoadNotes(): string[] {
  const notes = [
    `Load average at the start (1, 5, 15 min): ${loadavg()
      .map((l) => formatNumber(l, 2))
      .join(', ')}.`,
  ];
  const training = spawnSync('pgrep', ['-f', 'training/train.ts --epochs'], { encoding: 'utf8' });
  if (training.stdout.trim() !== '')
    notes.push('A model training run (`npm run train`) was running during this run.');
  return notes;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchArgumentError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const started = performance.now();
  const date = new Date().toISOString();
  const notes = otherLoadNotes();
  const selected = new Set(options.sections);
  log(`sections: ${options.sections.join(', ')}${options.quick ? ' (quick)' : ''}`);

  let state: Promise<SeededState> | undefined;
  let bundle: Promise<WorkerBundle> | undefined;
  let benchBundle: Promise<WorkerBundle> | undefined;
  const context: Context = {
    options,
    model: await readCommittedModel(),
    digits: await readTestDigits(512),
    state: () => {
      state ??= createSeededState();
      return state;
    },
    bundle: () => {
      if (bundle === undefined) log('building the Worker with wrangler deploy --dry-run');
      bundle ??= buildWorkerBundle();
      return bundle;
    },
    benchBundle: () => {
      if (benchBundle === undefined) log('building the bench entry with wrangler deploy --dry-run');
      benchBundle ??= buildWorkerBundle(BENCH_WORKER_CONFIG);
      return benchBundle;
    },
  };
  const steps: { sections: Section[]; title: string; run: () => Promise<SectionResult[]> }[] = [
    { sections: ['floor'], title: 'Floor', run: () => runFloor(context) },
    {
      sections: ['workerd', 'memory'],
      title: 'Inference in workerd',
      run: () => runInWorkerd(context, selected),
    },
    { sections: ['http'], title: 'HTTP under load', run: () => runHttp(context) },
    {
      sections: ['cold'],
      title: 'Cold start',
      run: async () => [
        coldStartSection(
          await measureColdStart(
            await context.state(),
            { app: await context.bundle(), bench: await context.benchBundle() },
            context.digits,
            options.quick,
          ),
        ),
      ],
    },
    {
      sections: ['size'],
      title: 'Sizes',
      run: async () => [sizesSection(await measureSizes(context.model, await context.bundle()))],
    },
    {
      sections: ['numbers'],
      title: 'Reading numbers',
      run: async () => {
        const server = await startBundledWorker(await context.bundle(), await context.state());
        try {
          return [numbersSection(await measureNumbers(server, context.options.quick))];
        } finally {
          await server.stop();
        }
      },
    },
    {
      sections: ['decode'],
      title: 'Image decoding budget',
      run: async () => [decodeSection(await measureDecode(options.quick))],
    },
    // Last: it switches tfjs to the training kernels.
    {
      sections: ['train'],
      title: 'Training speed',
      run: async () => [trainingSection(await measureTraining(options.quick))],
    },
    {
      sections: ['photos'],
      title: 'Photos',
      run: async () => {
        const worker = await startBundledWorker(await context.bundle(), await context.state());
        try {
          return [photosSection(await measurePhotos(worker.url, options.quick, log))];
        } finally {
          await worker.stop();
        }
      },
    },
  ];

  const results: SectionResult[] = [];
  let failed = false;
  try {
    for (const step of steps) {
      if (!step.sections.some((section) => selected.has(section))) continue;
      log(`${step.title}…`);
      try {
        results.push(...(await step.run()));
      } catch (error) {
        failed = true;
        const message = error instanceof Error ? error.message : String(error);
        log(`${step.title} could not be measured: ${message}`);
        results.push({
          title: step.title,
          rows: [{ area: step.title, figure: 'not measured', value: `error: ${message.split('\n')[0]}` }],
          details: `Not measured: \n\n\`\`\`\n${message}\n\`\`\``,
        });
      }
    }
  } finally {
    if (state !== undefined) await (await state).remove();
    if (bundle !== undefined) await (await bundle).remove();
    if (benchBundle !== undefined) await (await benchBundle).remove();
  }

  const seconds = (performance.now() - started) / 1000;
  console.log(`\n${terminalTable(results)}\n`);
  if (options.out !== null) {
    const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
    const page = benchmarksPage({ machine: describeMachine(), date, command, seconds, notes }, results);
    const path = resolve(REPO_ROOT, options.out);
    await writeFile(path, page);
    // The project's formatter lays out Markdown tables too; a report it would rewrite fails `npm test`.
    await runCommand('npx', ['biome', 'format', '--write', path]).catch((error: unknown) =>
      log(`biome could not format ${options.out}: ${error instanceof Error ? error.message : String(error)}`),
    );
    log(`wrote ${options.out}`);
  } else {
    log('quick or partial run: no report written (pass --out FILE to write one)');
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();
