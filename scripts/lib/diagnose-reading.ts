/**
 * Where a reading of a generated number went wrong, for the tuning loop (`scripts/tune-numbers.ts
 * --diagnose`): every written digit is matched to the read digit whose box covers it best, and each miss is
 * put in one category, by what went wrong (cut or grouping vs the model's reading of a right box) and by
 * how the digit stood to its neighbours (touching, boxes overlapping through slant, close, apart). Each
 * missed digit is also put by what the segmentation offered for it (`offeredBoxes`).
 */

import type { Region } from '../../core/resample.ts';
import type { WrittenNumber } from '../../test/fixtures/numbers/generate-numbers.ts';

export interface ReadBox {
  readonly digit: number;
  /** In the written number's pixels. */
  readonly box: Region;
}

/** Share of the union of two boxes' column spans that both cover: `boxOverlap` with the rows ignored. */
const columnOverlap = (a: Region, b: Region): number =>
  boxOverlap({ ...a, y: 0, height: 1 }, { ...b, y: 0, height: 1 });

/** How digit `i` stands to its neighbours: the closest relation wins. */
function neighbourhood(written: WrittenNumber, i: number): string {
  if (written.touching[i - 1] === true || written.touching[i] === true) return 'touching';
  const box = written.boxes[i] as Region;
  const lineHeight = Math.max(...written.boxes.map((b) => b.height));
  let gap = Number.POSITIVE_INFINITY;
  for (const j of [i - 1, i + 1]) {
    const other = written.boxes[j];
    if (other === undefined) continue;
    const left = j < i ? other : box;
    const right = j < i ? box : other;
    gap = Math.min(gap, right.x - (left.x + left.width));
  }
  if (gap < 0) return 'boxes overlap';
  if (gap < 0.1 * lineHeight) return 'close';
  return 'apart';
}

/**
 * Categories of the misses in one reading (empty when it is right). `aloneRight[i]` says whether the model
 * reads written digit i right on its own (its MNIST picture): a miss it also makes alone is the model's.
 */
export function diagnoseReading(
  written: WrittenNumber,
  read: readonly ReadBox[],
  aloneRight: readonly boolean[],
): string[] {
  const misses: string[] = [];
  const used = new Set<number>();
  written.boxes.forEach((box, i) => {
    let best = -1;
    let bestOverlap = 0;
    read.forEach((r, j) => {
      const overlap = columnOverlap(box, r.box);
      if (overlap > bestOverlap) {
        best = j;
        bestOverlap = overlap;
      }
    });
    const where = neighbourhood(written, i);
    if (best < 0 || bestOverlap < 0.6) {
      misses.push(`cut/grouping wrong, ${where}`);
      return;
    }
    used.add(best);
    if ((read[best] as ReadBox).digit === Number(written.text[i])) return;
    misses.push(
      aloneRight[i] ? `misread in a right box, ${where}` : 'misread, the model misreads it alone too',
    );
  });
  const extra = read.length - used.size;
  if (extra > 0 && misses.length === 0) misses.push('extra digit (a piece read twice or a split)');
  return misses;
}

/** Share of the union of two boxes that both cover. */
export function boxOverlap(a: Region, b: Region): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  const shared = width * height;
  return shared / (a.width * a.height + b.width * b.height - shared);
}

/**
 * A box covering this share of the union with a written digit's box is that digit's box: 94% of the digits of
 * right readings on the touching tuning set (seed 3, digits 1000–1999, `--touching 0.5`) are read from such a box.
 */
const SAME_BOX = 0.8;
/** ...and one covering this share is part of it (or it and part of a neighbour). */
const PARTIAL_BOX = 0.6;

/**
 * What the segmentation offered for each written digit the reading got wrong (not read from its own box as
 * its own digit): no candidate box close to its own (the cuts never parted it from its neighbours, or only
 * partly), a box that reads right but lost to another path (the weighing), or only boxes that read wrong (the
 * model on the crops it was given). `candidates` are every candidate of the plan, in the written number's
 * pixels, each read as its most likely digit; `read` is the reading.
 */
export function offeredBoxes(
  written: WrittenNumber,
  candidates: readonly ReadBox[],
  read: readonly ReadBox[],
): string[] {
  const faults: string[] = [];
  written.boxes.forEach((box, i) => {
    const digit = Number(written.text[i]);
    const own = (r: ReadBox) => boxOverlap(r.box, box) >= SAME_BOX;
    if (read.some((r) => own(r) && r.digit === digit)) return;
    const offered = candidates.filter(own);
    const best = candidates.reduce((most, r) => Math.max(most, boxOverlap(r.box, box)), 0);
    if (offered.length === 0) {
      faults.push(best >= PARTIAL_BOX ? 'no candidate box, only partial ones' : 'no candidate box');
    } else {
      faults.push(
        offered.some((r) => r.digit === digit) ? 'its box read right, not chosen' : 'every box of it misread',
      );
    }
  });
  return faults;
}
