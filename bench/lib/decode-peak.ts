/**
 * The peak extra memory of decoding images as the API does, measured in a fresh Node process per call
 * (so nothing earlier in the caller's process hides or inflates it). `--expose-gc` lets the child start
 * from a collected heap.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DecodePeak {
  /** Peak resident memory above the level just before decoding, in bytes. */
  readonly peakBytes: number;
  readonly ms: number;
  /** Per image: 'ok' or the API error code it was refused with. */
  readonly outcomes: readonly string[];
}

const child = new URL('./decode-peak-child.ts', import.meta.url).pathname;

/** Decodes `images` in one fresh process, as one request (a batch when several), and reports its peak. */
export function measureDecodePeak(images: readonly Uint8Array[]): DecodePeak {
  const dir = mkdtempSync(join(tmpdir(), 'decode-peak-'));
  try {
    const paths = images.map((bytes, index) => {
      const path = join(dir, `${index}.img`);
      writeFileSync(path, bytes);
      return path;
    });
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, ...paths], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    return JSON.parse(output.trim().split('\n').at(-1) as string) as DecodePeak;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
