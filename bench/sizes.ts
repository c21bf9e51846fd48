/**
 * Sizes: the Worker bundle as `wrangler deploy --dry-run` builds it, the pad page's JavaScript from the
 * built site, and the model's bytes.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCommand, type WorkerBundle } from './lib/bundled-worker.ts';
import type { CommittedModel } from './lib/committed-model.ts';
import { REPO_ROOT } from './lib/committed-model.ts';
import {
  type BenchRow,
  formatKiB,
  formatNumber,
  markdownTable,
  type SectionResult,
  verdictAtMost,
} from './lib/report.ts';
import { localScriptsOf, staticImportsOf, wranglerUploadSizes } from './lib/size-parsing.ts';

const WORKER_GZIP_TARGET_KIB = 300;
const PAD_JS_GZIP_TARGET_KIB = 30;

interface FileSize {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

export interface SizeResult {
  readonly workerFiles: readonly FileSize[];
  /** wrangler's own "Total Upload: … / gzip: …" figures, KiB. */
  readonly wranglerTotalKiB: number | null;
  readonly wranglerGzipKiB: number | null;
  readonly padScripts: readonly FileSize[];
  readonly modelBytes: number;
  readonly weightBytes: number;
  readonly parameters: number;
}

const sizeOf = (file: string, bytes: Uint8Array): FileSize => ({
  file,
  bytes: bytes.byteLength,
  gzipBytes: gzipSync(bytes, { level: 9 }).byteLength,
});

async function workerBundleSizes(
  bundle: WorkerBundle,
): Promise<Pick<SizeResult, 'workerFiles' | 'wranglerTotalKiB' | 'wranglerGzipKiB'>> {
  const workerFiles = await Promise.all(
    bundle.files.map(async (name) => sizeOf(name, await readFile(join(bundle.directory, name)))),
  );
  const { totalKiB, gzipKiB } = wranglerUploadSizes(bundle.wranglerOutput);
  return { workerFiles, wranglerTotalKiB: totalKiB, wranglerGzipKiB: gzipKiB };
}

/** Every script the pad page (`/`) loads: its `<script>` tags and their static imports, transitively. */
async function padScripts(): Promise<FileSize[]> {
  const dist = join(REPO_ROOT, 'site/dist');
  if (!existsSync(join(dist, 'index.html'))) await runCommand('npm', ['run', 'build']);
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const { sources, inline } = localScriptsOf(html);
  const sizes: FileSize[] = inline.map((code, i) =>
    sizeOf(`index.html inline script ${i + 1}`, Buffer.from(code)),
  );
  const seen = new Set<string>();
  const queue = [...sources];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const bytes = await readFile(join(dist, path));
    sizes.push(sizeOf(path, bytes));
    queue.push(...staticImportsOf(bytes.toString('utf8'), path));
  }
  return sizes;
}

export async function measureSizes(model: CommittedModel, bundle: WorkerBundle): Promise<SizeResult> {
  return {
    ...(await workerBundleSizes(bundle)),
    padScripts: await padScripts(),
    modelBytes: model.modelBytes,
    weightBytes: model.weightBytes,
    parameters: model.manifest.parameters,
  };
}

const total = (files: readonly FileSize[], key: 'bytes' | 'gzipBytes') =>
  files.reduce((sum, file) => sum + file[key], 0);

export function sizesSection(result: SizeResult): SectionResult {
  const workerGzip = total(result.workerFiles, 'gzipBytes');
  const padGzip = total(result.padScripts, 'gzipBytes');
  // wrangler's figure is what Cloudflare's limit is checked against; ours (gzip -9 per file) is beside it.
  const workerGzipKiB = result.wranglerGzipKiB ?? workerGzip / 1024;
  const rows: BenchRow[] = [
    {
      area: 'Size',
      figure: 'Worker bundle, gzip (wrangler deploy --dry-run)',
      value: `${formatNumber(workerGzipKiB, 1)} KiB`,
      target: `≤ ${WORKER_GZIP_TARGET_KIB} KiB`,
      verdict: verdictAtMost(workerGzipKiB, WORKER_GZIP_TARGET_KIB),
    },
    {
      area: 'Size',
      figure: "pad page's JavaScript, gzip",
      value: formatKiB(padGzip),
      target: `≤ ${PAD_JS_GZIP_TARGET_KIB} KiB`,
      verdict: verdictAtMost(padGzip / 1024, PAD_JS_GZIP_TARGET_KIB),
    },
    {
      area: 'Size',
      figure: 'model read per load (model.json + weights)',
      value: `${formatNumber(result.modelBytes)} B (weights ${formatNumber(result.weightBytes)} B)`,
    },
  ];
  const fileRows = (files: readonly FileSize[]) =>
    files.map((file) => [file.file, formatNumber(file.bytes), formatNumber(file.gzipBytes)]);
  const details = `\`npx wrangler deploy --dry-run --outdir <temporary folder>\` builds the Worker exactly as a deploy would
(minified, the SIMD wasm binary as a separate module); wrangler reported "Total Upload: ${result.wranglerTotalKiB ?? '?'} KiB / gzip:
${result.wranglerGzipKiB ?? '?'} KiB", the figure Cloudflare's size limit applies to. Per file, gzip -9:

${markdownTable(['Worker file', 'Bytes', 'gzip'], [...fileRows(result.workerFiles), ['total', formatNumber(total(result.workerFiles, 'bytes')), formatNumber(workerGzip)]], [1, 2])}

The pad page's JavaScript: every \`<script>\` of \`site/dist/index.html\` and, transitively, the modules they
import statically (\`npm run build\` first if the site is not built):

${markdownTable(['Script', 'Bytes', 'gzip'], [...fileRows(result.padScripts), ['total', formatNumber(total(result.padScripts, 'bytes')), formatNumber(padGzip)]], [1, 2])}

The model: ${formatNumber(result.parameters)} parameters; \`model.json\` plus weight shards ${formatNumber(result.modelBytes)} bytes, of which
weights ${formatNumber(result.weightBytes)} bytes (uint8 kernels, float32 biases).`;
  return { title: 'Sizes', rows, details };
}
