/**
 * Reads one written line of digits: ink map → candidate digit crops → (one batched model call, by the
 * caller) → the most likely left-to-right reading. Pure: no DOM, no Worker APIs.
 *
 * 1. Connected components of the ink; specks and dirt much smaller than the line's digits are dropped.
 * 2. Components that overlap horizontally form one "atom" (the bar of a 5, an open 4, a broken stroke).
 * 3. Wide atoms may hold touching digits: candidate cuts start at the low points of their vertical ink
 *    profile (and on a grid across atoms wider than a digit) and follow the path of least squared ink from
 *    top to bottom, so they lean and bend with the digits and follow the lighter seam where strokes overlap;
 *    any path through next to no ink (a seam between two leaning strokes, which leaves no valley) is a cut
 *    too. Cuts and atom edges split the line into pieces.
 * 4. Every run of 1 to MAX_PIECES_PER_DIGIT consecutive pieces that could be one digit is a candidate, cut
 *    out with only its own ink and preprocessed exactly like a single digit (`mnistFromInk`).
 * 5. After the model has classified all candidates in one batch, dynamic programming picks the partition of
 *    the pieces that maximises the product of the digits' confidences (weighted: the strongest evidence)
 *    times a size prior (no fixed width), a shape prior for the digit read (MNIST's width-to-height range of
 *    that digit), an ink prior (a digit read from far less ink than that digit has is a fragment), the cuts'
 *    costs and a bonus per digit (so two confident digits beat one confident merge). When the served model
 *    has a segment score (fitted at export on numbers of MNIST training digits: whole digits against
 *    merged pairs and fragments), its log-probability joins them.
 */

import { detectorFeaturesAt, digitScore, type ScoreParameters, softmaxRows } from './confidence.ts';
import { NUMBER_WORKING_SIZE } from './extract-ink.ts';
import { type InkMap, labelComponents, mnistFromInk } from './ink-map.ts';
import { CLASS_COUNT, PIXEL_COUNT } from './model-spec.ts';
import { type Region, resampleArea } from './resample.ts';

/** The longest number read: one line of 1 to 16 digits. */
export const MAX_DIGITS = 16;
/** Segmentation works on at most this many pixels (labelling needs 8 bytes a pixel); larger maps shrink. */
export const MAX_WORKING_PIXELS = 1 << 20;
/** A digit is made of at most this many pieces (atoms and slices of atoms between candidate cuts), or one whole mark. */
const MAX_PIECES_PER_DIGIT = 6;
/** Candidate cuts per atom, the deepest profile minima first. */
const MAX_CUTS_PER_ATOM = 6;
/** More atoms than this cannot be read as at most MAX_DIGITS digits with merges of this depth: refuse early. */
const MAX_ATOMS = MAX_DIGITS * 3;

export interface Size {
  readonly width: number;
  readonly height: number;
}

/**
 * Maps a box from one pixel grid to another of the same picture (working map → decoded image → source
 * image), rounding outwards so the box still holds all of the ink, and clamped to the target.
 *
 * @example scaleBox({ x: 1, y: 1, width: 2, height: 2 }, { width: 4, height: 4 }, { width: 8, height: 8 })
 * // → { x: 2, y: 2, width: 4, height: 4 }
 */
export function scaleBox(box: Region, from: Size, to: Size): Region {
  const sx = to.width / from.width;
  const sy = to.height / from.height;
  const left = Math.max(0, Math.floor(box.x * sx + 1e-9));
  const top = Math.max(0, Math.floor(box.y * sy + 1e-9));
  const right = Math.min(to.width, Math.ceil((box.x + box.width) * sx - 1e-9));
  const bottom = Math.min(to.height, Math.ceil((box.y + box.height) * sy - 1e-9));
  return { x: left, y: top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/** Shrinks a map by area averaging so it holds at most `maxPixels`; returns it unchanged when it does. */
export function shrinkInkMap(map: InkMap, maxPixels = MAX_WORKING_PIXELS): InkMap {
  const pixels = map.width * map.height;
  if (pixels <= maxPixels) return map;
  const scale = Math.sqrt(maxPixels / pixels);
  const width = Math.max(1, Math.floor(map.width * scale));
  const height = Math.max(1, Math.floor(map.height * scale));
  const whole = { x: 0, y: 0, width: map.width, height: map.height };
  const shrunk = resampleArea(map.ink, map.width, whole, width, height);
  return { width, height, ink: Uint8Array.from(shrunk, (value) => Math.round(value)) };
}

/**
 * A grey bitmap (0 = paper, 1 = ink, row by row) as the map a number is read from: shrunk to the pixel budget
 * a picture is extracted at (NUMBER_WORKING_SIZE), since cutting a wide mark costs time in its area for each
 * of its candidates (a 1 Mi pixel bitmap of one mark took seconds at full size).
 */
export function inkMapFromBitmap(width: number, height: number, grey: ArrayLike<number>): InkMap {
  const ink = new Uint8Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = Math.round((grey[i] as number) * 255);
  return shrinkInkMap({ width, height, ink }, NUMBER_WORKING_SIZE.maxPixels);
}

/**
 * A cut through an atom: per row of the atom (from its top), the first column right of the cut. Cuts follow
 * the path of least ink, so they can lean and bend with slanted or overlapping digits.
 */
interface Cut {
  readonly columns: Int32Array;
  /** Mean column, for ordering and widths. */
  readonly column: number;
  /** Strokes the cut goes through. */
  readonly strokes: number;
}

/** A slice of an atom between two cuts (or its edges): the unit the reading is built from. */
interface Piece {
  readonly atom: number;
  /** Mean columns [left, right) of the map. */
  readonly left: number;
  readonly right: number;
  /** The cuts at its sides; null at the atom's edge. */
  readonly leftCut: Cut | null;
  readonly rightCut: Cut | null;
}

/** One way of reading pieces `first..last` as one digit. */
interface Candidate {
  readonly first: number;
  readonly last: number;
  /** The candidate's own ink, in the map's pixels. */
  readonly box: Region;
  /** log of the size prior: how plausible this box is as one digit of this line. */
  readonly logPrior: number;
  /** The candidate's ink against a typical digit of this line (1: as much as one digit of it usually has). */
  readonly inkShare: number;
}

/** Everything the model must classify for one line, and what is needed to choose the reading after. */
export interface NumberPlan {
  /** The map that was segmented (the input, or a shrunk copy of it: boxes are in its pixels). */
  readonly size: Size;
  /** Height of the line's digits, in the map's pixels. */
  readonly lineHeight: number;
  readonly pieceCount: number;
  readonly candidates: readonly Candidate[];
  /** 784 values per candidate, in candidate order: the model's batch. */
  readonly inputs: Float32Array;
  /** Cost (log) of each cut between piece i and i + 1 within an atom; 0 between atoms. */
  readonly cutLogCosts: readonly number[];
  /** Pieces with no ink of their own, which a reading may pass over. */
  readonly emptyPieces: readonly number[];
}

export interface ReadDigit {
  /** Index of the chosen candidate in the plan (and in the model call's batch). */
  readonly candidate: number;
  readonly digit: number;
  readonly confidence: number;
  readonly probabilities: number[];
  /** In the segmented map's pixels; see `scaleBox`. */
  readonly box: Region;
  /** The segment score's probability that the box holds one whole digit (absent without a score). */
  readonly whole?: number;
}

export interface NumberReading {
  readonly text: string;
  readonly digits: ReadDigit[];
  /** The product of the digits' confidences: the model's belief that every digit is right. */
  readonly confidence: number;
}

/** Why a line could not be read (the API turns these into 422s). */
export class NumberReadError extends Error {
  constructor(
    readonly reason: 'empty' | 'too_many_digits',
    message: string,
  ) {
    super(message);
    this.name = 'NumberReadError';
  }
}

interface Atom {
  readonly labels: number[];
  left: number;
  right: number;
  top: number;
  bottom: number;
  mass: number;
}

interface Layout {
  readonly labels: Int32Array;
  /** Per label (1-based, index 0 unused): mass per column of the map, only over its box. */
  readonly columnMass: Float64Array[];
  readonly componentMass: number[];
  readonly componentBox: Region[];
  readonly atoms: Atom[];
  readonly atomOfLabel: Int32Array;
  readonly lineHeight: number;
  /** Typical ink mass of one mark (atom) of this line: what dirt beside the line is light against. */
  readonly markMass: number;
  /**
   * Typical ink of one digit of this line, a mark wider than a digit counting as several: the ink prior's unit,
   * and the floor for pieces between cuts and for a neighbour's stray ends.
   */
  readonly digitInk: number;
}

/** A speck: this small against the line height in both directions and this light against the largest atom. */
const SPECK_SIDE = 0.15;
const SPECK_MASS = 0.02;
/** Dirt: a mark (atom) this small against the line height in both directions and this light against its digits. */
const DIRT_SIDE = 0.3;
const DIRT_MASS = 0.15;
/** ...and a small mark this far (share of the line height) above or below a digit is not part of it. */
const DIRT_GAP = 0.25;
/** A dash: a mark this thin against the line height, its middle within this share of the line's middle. */
const DASH_THICKNESS = 0.25;
const DASH_LEVEL = 0.25;
/** A mark touching the map's edge, this many times longer than thick and this many line heights long, is a rule. */
const RULE_ASPECT = 8;
const RULE_LENGTH = 1.5;

/** The middle value (the upper one of an even count). */
function median(values: number[]): number {
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
}

/** The line height: the tallest of the substantial components (a 1 is as tall as a 0; a speck is not). */
function lineHeightOf(components: readonly { mass: number; box: Region }[]): number {
  const largest = components.reduce((most, c) => Math.max(most, c.mass), 0);
  return Math.max(...components.filter((c) => c.mass >= 0.2 * largest).map((c) => c.box.height));
}

function layOut(map: InkMap): Layout | null {
  const { labels, components } = labelComponents(map);
  if (components.length === 0) return null;
  // What is left of a paper's rule where the photo's extraction could not remove it runs into the frame's
  // edge, long and thin, and longer than the digits are tall: no digit does all three (a 1 against the
  // pad's edge is thin, but no taller than its neighbours).
  const edgeLine = (c: (typeof components)[number]) =>
    (c.box.x === 0 ||
      c.box.y === 0 ||
      c.box.x + c.box.width >= map.width ||
      c.box.y + c.box.height >= map.height) &&
    Math.max(c.box.width, c.box.height) >= RULE_ASPECT * Math.min(c.box.width, c.box.height);
  const others = components.filter((c) => !edgeLine(c));
  const provisional = lineHeightOf(others.length > 0 ? others : components);
  const marks = components.filter(
    (c) => !(edgeLine(c) && Math.max(c.box.width, c.box.height) > RULE_LENGTH * provisional),
  );
  const largest = marks.reduce((most, c) => Math.max(most, c.mass), 0);
  const kept = marks.filter(
    (c) => !(c.mass < SPECK_MASS * largest && Math.max(c.box.width, c.box.height) < SPECK_SIDE * provisional),
  );
  // Atoms: components whose column spans overlap by a good share of the narrower one merge.
  kept.sort((a, b) => a.box.x - b.box.x);
  const merged: Atom[] = [];
  // A small mark well above or below a digit is dirt, not a part of it: it stays an atom of its own
  // (dropped below). A digit's broken-off bit is close to the rest.
  const small = (width: number, height: number) => Math.max(width, height) < DIRT_SIDE * provisional;
  for (const c of kept) {
    const left = c.box.x;
    const right = c.box.x + c.box.width;
    const top = c.box.y;
    const bottom = c.box.y + c.box.height;
    const last = merged[merged.length - 1];
    const overlap = last === undefined ? 0 : Math.min(last.right, right) - Math.max(last.left, left);
    const apart =
      last !== undefined &&
      (small(c.box.width, c.box.height) || small(last.right - last.left, last.bottom - last.top)) &&
      Math.max(top, last.top) - Math.min(bottom, last.bottom) > DIRT_GAP * provisional;
    if (last !== undefined && !apart && overlap > 0.35 * Math.min(last.right - last.left, right - left)) {
      last.labels.push(c.label);
      last.left = Math.min(last.left, left);
      last.right = Math.max(last.right, right);
      last.top = Math.min(last.top, top);
      last.bottom = Math.max(last.bottom, bottom);
      last.mass += c.mass;
    } else {
      merged.push({ labels: [c.label], left, right, top, bottom, mass: c.mass });
    }
  }
  const heaviest = merged.reduce((most, a) => Math.max(most, a.mass), 0);
  const substantial = merged.filter((a) => a.mass >= 0.25 * heaviest);
  const lineHeight = Math.max(1, median(substantial.map((a) => a.bottom - a.top)));
  const markMass = median(substantial.map((a) => a.mass));
  // One digit's ink, for the ink prior: an atom wider than a digit counts as width ÷ that many digits. Where
  // most pairs touch, most atoms are pairs, and their whole mass made every digit cut out of them look like
  // a fragment and a merge look like one digit. The mark's mass was also too much for the floors of cut
  // pieces and strays: in "5 702" (one mark of three digits) the small 7 fell below both and was never read.
  const digitInk = median(
    substantial.map((a) => a.mass / Math.max(1, (a.right - a.left) / (WIDE_ATOM * lineHeight))),
  );
  // Dirt beside the line (a photo's specks): a mark small in both directions and light against the line's
  // digits is no digit. Broken-off bits of a digit mostly share its columns, so they are in its atom.
  // A dash between groups ("72-49"): a flat bar of its own, no taller than a stroke is thick, level with the
  // middle of the line. The model reads it as a sure 2 or 7; no digit's part is all three (a 7's or a 5's bar
  // sits at the top, over the columns of its stem, and is in that digit's atom).
  const middle = median(substantial.map((a) => (a.top + a.bottom) / 2));
  const dash = (a: Atom) => {
    const height = a.bottom - a.top;
    const width = a.right - a.left;
    return (
      height < DASH_THICKNESS * lineHeight &&
      width >= 2 * height &&
      width <= WIDE_ATOM * lineHeight &&
      Math.abs((a.top + a.bottom) / 2 - middle) < DASH_LEVEL * lineHeight
    );
  };
  const atoms = merged.filter(
    (a) =>
      !(
        Math.max(a.right - a.left, a.bottom - a.top) < DIRT_SIDE * lineHeight && a.mass < DIRT_MASS * markMass
      ) && !dash(a),
  );

  const atomOfLabel = new Int32Array(components.length + 1).fill(-1);
  atoms.forEach((atom, index) => {
    for (const label of atom.labels) atomOfLabel[label] = index;
  });
  const columnMass: Float64Array[] = [new Float64Array(0)];
  const componentMass: number[] = [0];
  const componentBox: Region[] = [{ x: 0, y: 0, width: 0, height: 0 }];
  for (const c of components) {
    columnMass.push(new Float64Array(atomOfLabel[c.label] === -1 ? 0 : c.box.width));
    componentMass.push(c.mass);
    componentBox.push(c.box);
  }
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label === 0 || atomOfLabel[label] === -1) continue;
    const x = i % map.width;
    const columns = columnMass[label] as Float64Array;
    const at = x - (componentBox[label] as Region).x;
    columns[at] = (columns[at] as number) + (map.ink[i] as number);
  }
  return {
    labels,
    columnMass,
    componentMass,
    componentBox,
    atoms,
    atomOfLabel,
    lineHeight,
    markMass,
    digitInk,
  };
}

/** Candidate cut columns inside an atom: the deepest minima of its smoothed ink profile, spread apart. */
function cutsOf(atom: Atom, layout: Layout, map: InkMap): Cut[] {
  const { lineHeight } = layout;
  const width = atom.right - atom.left;
  // Two digits side by side are at least two thin 1s wide.
  if (width < 0.3 * lineHeight) return [];
  const profile = new Float64Array(width);
  for (const label of atom.labels) {
    const columns = layout.columnMass[label] as Float64Array;
    const offset = (layout.componentBox[label] as Region).x - atom.left;
    for (let i = 0; i < columns.length; i++)
      profile[offset + i] = (profile[offset + i] as number) + (columns[i] as number);
  }
  const radius = Math.max(1, Math.round(0.03 * lineHeight));
  const smooth = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, x - radius); k <= Math.min(width - 1, x + radius); k++) {
      sum += profile[k] as number;
      count++;
    }
    smooth[x] = sum / count;
  }
  const margin = Math.max(2, Math.round(0.1 * lineHeight));
  const minima: { column: number; ink: number }[] = [];
  for (let x = margin; x <= width - margin; x++) {
    const here = smooth[x] as number;
    const before = smooth[x - 1] as number;
    const after = x + 1 < width ? (smooth[x + 1] as number) : Number.POSITIVE_INFINITY;
    if (here <= before && here <= after) minima.push({ column: atom.left + x, ink: profile[x] as number });
  }
  // Only real valleys: clearly lower than the highest ink on both sides of them.
  const valleys = minima.filter(({ column }) => {
    const x = column - atom.left;
    let leftPeak = 0;
    let rightPeak = 0;
    for (let k = 0; k < x; k++) leftPeak = Math.max(leftPeak, smooth[k] as number);
    for (let k = x + 1; k < width; k++) rightPeak = Math.max(rightPeak, smooth[k] as number);
    return (smooth[x] as number) <= VALLEY_DEPTH * Math.min(leftPeak, rightPeak);
  });
  valleys.sort((a, b) => a.ink - b.ink);
  const spacing = Math.max(2, 0.12 * lineHeight);
  // Where one of several components of the atom starts or ends (a thin 1 leaning over its neighbour).
  const edges: { column: number; ink: number }[] = [];
  if (atom.labels.length > 1) {
    for (const label of atom.labels) {
      const box = layout.componentBox[label] as Region;
      for (const column of [box.x, box.x + box.width]) {
        if (column - atom.left >= margin && atom.right - column >= margin) edges.push({ column, ink: 0 });
      }
    }
  }
  // An atom wider than a digit usually is two (a touching pair need not leave a valley, and overlapping digits
  // leave none): try the lowest-ink column across its middle and starts on a grid across it, and let the
  // classifier judge the pieces.
  const forced: { column: number; ink: number }[] = [];
  if (width > WIDE_ATOM * lineHeight) {
    for (const [from, to] of FORCED_WINDOWS) {
      let best = -1;
      for (
        let x = Math.max(margin, Math.round(from * width));
        x <= Math.min(width - margin, Math.round(to * width));
        x++
      )
        if (best < 0 || (smooth[x] as number) < (smooth[best] as number)) best = x;
      if (best >= 0) forced.push({ column: atom.left + best, ink: profile[best] as number });
    }
    for (let x = margin; x <= width - margin; x += Math.max(1, Math.round(GRID_STEP * lineHeight)))
      forced.push({ column: atom.left + x, ink: profile[x] as number });
  }
  const maxCuts = Math.max(MAX_CUTS_PER_ATOM, Math.ceil(width / (GRID_STEP * lineHeight)));
  const chosen: { column: number; ink: number }[] = [];
  for (const minimum of [...edges, ...valleys, ...forced]) {
    if (chosen.length >= maxCuts) break;
    if (chosen.every((c) => Math.abs(c.column - minimum.column) >= spacing)) chosen.push(minimum);
  }
  const atomIndex = layout.atomOfLabel[atom.labels[0] as number] as number;
  const grid = atomInk(atom, atomIndex, layout, map);
  const paths = chosen.map(({ column }) => leastInkCut(grid, lineHeight, column, margin));
  // Seams: two digits leaning against each other (a slanted 1 beside a stem, a "11") smear the profile into
  // no valley, and a mark narrower than WIDE_ATOM gets no grid starts; a path that crosses almost no ink from
  // top to bottom is such a seam wherever it lies. A single digit rarely has one (its loops and bars lie across
  // it), and the classifier judges the pieces of one that does.
  for (let x = margin; x <= width - margin; x += Math.max(1, Math.round(SEAM_STEP * lineHeight))) {
    const path = leastInkCut(grid, lineHeight, atom.left + x, margin);
    if (path.cost <= SEAM_COST * lineHeight) paths.push(path);
  }
  paths.sort((a, b) => a.inkBefore - b.inkBefore);
  // Paths from nearby starts often settle on the same route, or leave a sliver between them: every piece
  // must hold a share of a digit's ink; of two cuts too close, the one through fewer strokes stays.
  const least = MIN_PIECE_SHARE * layout.digitInk;
  const cuts: (Cut & { inkBefore: number })[] = [];
  for (const path of paths) {
    if (path.cost > MAX_CUT_INK * lineHeight) continue;
    if (path.inkBefore < least || atom.mass - path.inkBefore < least) continue;
    const previous = cuts[cuts.length - 1];
    if (previous === undefined || path.inkBefore - previous.inkBefore >= least) cuts.push(path);
    else if (path.strokes < previous.strokes) cuts[cuts.length - 1] = path;
  }
  return cuts;
}

/**
 * Seam starts lie this share of the line height apart, and a seam crosses at most this many line heights of
 * full ink (squared, as the cut weighs it). Tuned on the touching sets (docs/numbers.md, "Seams").
 */
const SEAM_STEP = 0.1;
const SEAM_COST = 0.08;
/**
 * A cut through more than this many line heights of full ink (squared, as the cut weighs it) goes through a
 * blot, not between two digits, which meet in a stroke or two: a filled square was read as "1111".
 */
const MAX_CUT_INK = 0.6;
/** Every piece between cuts holds at least this share of a typical digit's ink. */
const MIN_PIECE_SHARE = 0.08;

/**
 * How far a cut may wander from its starting column, as a share of the line height: wide enough to follow
 * the seam between a leaning 1 and the digit it lies against from top to bottom.
 */
const CUT_BAND = 0.3;
/** Cost of moving a cut one column sideways between rows, against 1 for crossing a full-ink pixel. */
const CUT_STEP_COST = 0.08;
/**
 * A pixel costs a cut its ink to this power: where two strokes overlap, the seam between them is lighter
 * than the strokes, and squaring makes the path follow the seam rather than cross a stroke at its thinnest.
 */
const CUT_INK_POWER = 2;

/** An atom's own ink on its box (a neighbour's ink inside the box counts as paper), as the cuts weigh it. */
interface AtomInk {
  readonly left: number;
  readonly width: number;
  readonly height: number;
  /** Per pixel, row by row: the atom's ink, 0–255 (5 bytes a pixel in all: a map may be 1 Mi pixels). */
  readonly ink: Uint8Array;
  /** Per row, the ink left of each column: row y, column x at y × (width + 1) + x (at most 255 × 1 Mi). */
  readonly before: Int32Array;
}

/** What a cut pays to cross a pixel of each ink value: (v / 255) ** CUT_INK_POWER. */
const CUT_COST = Float64Array.from({ length: 256 }, (_, value) => (value / 255) ** CUT_INK_POWER);

/** Computed once a mark, since a wide mark has many cuts to weigh (and their seams more). */
function atomInk(atom: Atom, atomIndex: number, layout: Layout, map: InkMap): AtomInk {
  const width = atom.right - atom.left;
  const height = atom.bottom - atom.top;
  const ink = new Uint8Array(width * height);
  const before = new Int32Array((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (atom.top + y) * map.width + atom.left + x;
      const label = layout.labels[at] as number;
      const value = label !== 0 && layout.atomOfLabel[label] === atomIndex ? (map.ink[at] as number) : 0;
      ink[y * width + x] = value;
      before[y * (width + 1) + x + 1] = (before[y * (width + 1) + x] as number) + value;
    }
  }
  return { left: atom.left, width, height, ink, before };
}

/**
 * The path from the atom's top to its bottom through the least of the atom's ink (squared), within a band around
 * `column`, moving at most one column a row: the cut between two touching digits, which need not be straight.
 */
function leastInkCut(
  grid: AtomInk,
  lineHeight: number,
  column: number,
  margin: number,
): Cut & { inkBefore: number; cost: number } {
  const band = Math.max(2, Math.round(CUT_BAND * lineHeight));
  // Columns of the band, relative to the atom's left edge.
  const low = Math.max(margin, column - grid.left - band);
  const high = Math.min(grid.width - margin, column - grid.left + band);
  const width = high - low + 1;
  const { height } = grid;
  const costAt = (x: number, y: number): number => CUT_COST[grid.ink[y * grid.width + x] as number] as number;
  const total = new Float64Array(width * height);
  const from = new Int8Array(width * height);
  for (let x = 0; x < width; x++)
    total[x] = costAt(low + x, 0) + (CUT_STEP_COST * Math.abs(grid.left + low + x - column)) / band;
  for (let y = 1; y < height; y++) {
    const above = (y - 1) * width;
    for (let x = 0; x < width; x++) {
      let best = total[above + x] as number;
      let step = 0;
      if (x > 0 && (total[above + x - 1] as number) + CUT_STEP_COST < best) {
        best = (total[above + x - 1] as number) + CUT_STEP_COST;
        step = -1;
      }
      if (x + 1 < width && (total[above + x + 1] as number) + CUT_STEP_COST < best) {
        best = (total[above + x + 1] as number) + CUT_STEP_COST;
        step = 1;
      }
      total[y * width + x] = best + costAt(low + x, y);
      from[y * width + x] = step;
    }
  }
  let end = 0;
  for (let x = 1; x < width; x++)
    if ((total[(height - 1) * width + x] as number) < (total[(height - 1) * width + end] as number)) end = x;
  const columns = new Int32Array(height);
  let sum = 0;
  for (let y = height - 1, x = end; y >= 0; y--) {
    columns[y] = grid.left + low + x;
    sum += grid.left + low + x;
    x += from[y * width + x] as number;
  }
  // Strokes crossed: runs of the atom's ink along the path; the atom's ink left of it; and the ink crossed,
  // as the path weighs it (a seam between touching digits crosses next to none).
  let strokes = 0;
  let inside = false;
  let inkBefore = 0;
  let cost = 0;
  for (let y = 0; y < height; y++) {
    const x = (columns[y] as number) - grid.left;
    cost += costAt(x, y);
    const here = (grid.ink[y * grid.width + x] as number) > 0;
    if (here && !inside) strokes++;
    inside = here;
    inkBefore += grid.before[y * (grid.width + 1) + x] as number;
  }
  return { columns, column: sum / height, strokes, inkBefore, cost };
}

/** In atoms wider than a digit, cuts also start every this share of the line height (the classifier judges). */
const GRID_STEP = 0.2;
/**
 * Atoms wider than this share of the line height may hold more than one digit: they get cut candidates without
 * a valley too, and count as that many digits when the line's typical digit ink is measured.
 */
const WIDE_ATOM = 0.8;
/** Where such a cut is looked for, as shares of the atom's width (three narrower windows did no better). */
const FORCED_WINDOWS: readonly (readonly [number, number])[] = [[0.3, 0.7]];

/** A cut candidate's ink is at most this share of the profile's peaks on either side. */
const VALLEY_DEPTH = 0.6;

/** Component shares above this inside a candidate's columns take the whole component, below 1 − it none. */
const WHOLE_SHARE = 0.8;

/** The leftmost column of a cut, or one past its rightmost. */
const cutLeft = (cut: Cut): number =>
  cut.columns.reduce((low, x) => Math.min(low, x), Number.POSITIVE_INFINITY);
const cutRight = (cut: Cut): number => cut.columns.reduce((high, x) => Math.max(high, x), 0);

/**
 * The candidate's own ink as a small map: components mostly between its cuts whole (an overhanging bar
 * stays with its digit), components mostly outside not at all, components cut through only between them.
 * Only the columns between its cuts and its whole components are scanned, and the map is cropped to its ink:
 * a wide mark has many candidates, each a small part of it.
 */
function candidateInk(
  map: InkMap,
  layout: Layout,
  from: Piece,
  to: Piece,
  keepStrays = false,
): { map: InkMap; box: Region } | null {
  const first = layout.atoms[from.atom] as Atom;
  const last = layout.atoms[to.atom] as Atom;
  // The columns between the cuts (atoms need not be ordered by their left edges), and all the atoms' rows.
  let left = Number.POSITIVE_INFINITY;
  let right = 0;
  let top = map.height;
  let bottom = 0;
  for (let a = from.atom; a <= to.atom; a++) {
    const atom = layout.atoms[a] as Atom;
    left = Math.min(left, a === from.atom && from.leftCut !== null ? cutLeft(from.leftCut) : atom.left);
    right = Math.max(right, a === to.atom && to.rightCut !== null ? cutRight(to.rightCut) : atom.right);
    top = Math.min(top, atom.top);
    bottom = Math.max(bottom, atom.bottom);
  }
  // Whether a pixel of atom `a` lies between the candidate's cuts.
  const between = (a: number, x: number, y: number): boolean =>
    !(
      (a === from.atom && from.leftCut !== null && x < (from.leftCut.columns[y - first.top] as number)) ||
      (a === to.atom && to.rightCut !== null && x >= (to.rightCut.columns[y - last.top] as number))
    );
  const inside = new Map<number, number>();
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const at = y * map.width + x;
      const label = layout.labels[at] as number;
      const a = label === 0 ? -1 : (layout.atomOfLabel[label] as number);
      if (a < from.atom || a > to.atom || !between(a, x, y)) continue;
      inside.set(label, (inside.get(label) ?? 0) + (map.ink[at] as number));
    }
  }
  const whole = new Map<number, boolean>();
  for (const [label, mass] of inside) {
    const share = mass / (layout.componentMass[label] as number);
    // A stray end of a neighbour's component is left out; a real part of a touching digit is not.
    if (mass === 0 || (!keepStrays && share <= 1 - WHOLE_SHARE && mass < 0.25 * layout.digitInk)) continue;
    const isWhole = share >= WHOLE_SHARE;
    whole.set(label, isWhole);
    if (!isWhole) continue;
    const box = layout.componentBox[label] as Region;
    left = Math.min(left, box.x);
    right = Math.max(right, box.x + box.width);
  }
  if (whole.size === 0) return null;
  const taken = (x: number, y: number): boolean => {
    const label = layout.labels[y * map.width + x] as number;
    const isWhole = label === 0 ? undefined : whole.get(label);
    return isWhole === true || (isWhole === false && between(layout.atomOfLabel[label] as number, x, y));
  };
  let inkLeft = right;
  let inkRight = left - 1;
  let inkTop = bottom;
  let inkBottom = top - 1;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      if (map.ink[y * map.width + x] === 0 || !taken(x, y)) continue;
      if (x < inkLeft) inkLeft = x;
      if (x > inkRight) inkRight = x;
      if (y < inkTop) inkTop = y;
      if (y > inkBottom) inkBottom = y;
    }
  }
  if (inkRight < inkLeft) return null;
  const box = { x: inkLeft, y: inkTop, width: inkRight - inkLeft + 1, height: inkBottom - inkTop + 1 };
  const ink = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++)
    for (let x = 0; x < box.width; x++)
      if (taken(box.x + x, box.y + y))
        ink[y * box.width + x] = map.ink[(box.y + y) * map.width + box.x + x] as number;
  return { map: { width: box.width, height: box.height, ink }, box };
}

/**
 * log of how plausible a box is as one digit of a line `lineHeight` tall: digits are nearly as tall as the
 * line (a fragment is not) and at most about as wide as tall (two digits side by side are wider).
 */
function sizeLogPrior(box: Size, lineHeight: number): number {
  const tall = box.height / lineHeight;
  const wide = box.width / lineHeight;
  let prior = 0;
  if (tall < 0.55) prior -= 12 * (0.55 - tall);
  // A milder cost below most of the line height: the lower half of a split 0 or 8 is a fragment, not a digit.
  if (tall < SHORT_DIGIT) prior -= SHORT_LOG_COST * (SHORT_DIGIT - tall);
  if (wide > 1.05) prior -= 4 * (wide - 1.05);
  return prior;
}

/**
 * Digits shorter than this share of the line height pay SHORT_LOG_COST per unit below it (0.9 until touching
 * pairs were tuned in bulk: a small digit pressed against a tall one was merged into it).
 */
const SHORT_DIGIT = 0.8;
const SHORT_LOG_COST = 4;

/**
 * Cost (log) of reading separate atoms (ink apart in columns) as one digit: the classifier is often just as
 * sure of a "17" squeezed into one box as of the 1 and the 7 apart, so separate ink must earn its merge.
 */
const ATOM_JOIN_LOG_COST = Math.log(0.5);

/**
 * Cost (log) per stroke a cut goes through: splitting one digit in two crosses more strokes than a joint. Kept
 * small: touching digits overlap, so the right cut often crosses two strokes too.
 */
const STROKE_CUT_LOG_COST = -0.2;

/**
 * Weight of the log of the classifier's confidence against the priors: a clean digit reads at 0.97–0.99, a
 * merged pair or a fragment typically at 0.8–0.9, and that gap is the best evidence there is; the priors only
 * settle near ties. Tuned on touching pairs, whole numbers and single digits of the tuning seed.
 */
const CONFIDENCE_WEIGHT = 4;

/**
 * Bonus (log) per digit read: without it a product of confidences favours fewer digits, and a confident
 * reading of two touching digits as one (an "18" read as 8) beats two confident digits and a cut.
 */
const DIGIT_LOG_BONUS = 0.4;

/**
 * Segments the line and builds every candidate's model input. Throws `NumberReadError` for a map without
 * ink (`empty`) or with far too many separate marks to be 16 digits (`too_many_digits`).
 */
export function planNumber(input: InkMap): NumberPlan {
  const map = shrinkInkMap(input);
  const layout = layOut(map);
  if (layout === null) throw new NumberReadError('empty', 'no ink');
  const { atoms, lineHeight } = layout;
  if (atoms.length > MAX_ATOMS) {
    throw new NumberReadError('too_many_digits', `${atoms.length} separate marks`);
  }
  const pieces: Piece[] = [];
  const cutLogCosts: number[] = [];
  atoms.forEach((atom, index) => {
    const cuts = cutsOf(atom, layout, map);
    const sides = [null, ...cuts, null];
    for (let i = 0; i + 1 < sides.length; i++) {
      const leftCut = sides[i] as Cut | null;
      const rightCut = sides[i + 1] as Cut | null;
      pieces.push({
        atom: index,
        left: leftCut?.column ?? atom.left,
        right: rightCut?.column ?? atom.right,
        leftCut,
        rightCut,
      });
      if (rightCut !== null) cutLogCosts.push(rightCut.strokes * STROKE_CUT_LOG_COST);
    }
    cutLogCosts.push(0);
  });
  cutLogCosts.pop();

  const candidates: Candidate[] = [];
  const inputs: Float32Array[] = [];
  const emptyPieces: number[] = [];
  for (let first = 0; first < pieces.length; first++) {
    for (let last = first; last < pieces.length; last++) {
      const from = pieces[first] as Piece;
      const to = pieces[last] as Piece;
      // Beyond one piece, only runs that could be one digit: not too wide, no wide gap inside, few pieces
      // unless the run is a whole mark (a flat 0 cut at every grid step is still one candidate whole).
      if (last > first) {
        if (to.right - from.left > 2.0 * lineHeight) break;
        const previous = pieces[last - 1] as Piece;
        if (to.atom !== previous.atom && to.left - previous.right > 0.25 * lineHeight) break;
        const wholeMark = from.atom === to.atom && from.leftCut === null && to.rightCut === null;
        if (last - first >= MAX_PIECES_PER_DIGIT && !wholeMark) continue;
      }
      // A piece's ink must be read by some digit: a single piece keeps even stray ends when that is all it has.
      const own =
        candidateInk(map, layout, from, to) ??
        (last === first ? candidateInk(map, layout, from, to, true) : null);
      const pixels = own && mnistFromInk(own.map);
      if (own === null || pixels === null) {
        if (last === first) emptyPieces.push(first);
        continue;
      }
      const joins = to.atom - from.atom;
      let ink = 0;
      for (const value of own.map.ink) ink += value;
      candidates.push({
        first,
        last,
        box: own.box,
        logPrior: sizeLogPrior(own.box, lineHeight) + joins * ATOM_JOIN_LOG_COST,
        inkShare: ink / layout.digitInk,
      });
      inputs.push(pixels);
    }
  }
  const batch = new Float32Array(inputs.length * PIXEL_COUNT);
  inputs.forEach((pixels, i) => {
    batch.set(pixels, i * PIXEL_COUNT);
  });
  return {
    size: { width: map.width, height: map.height },
    lineHeight,
    pieceCount: pieces.length,
    candidates,
    inputs: batch,
    cutLogCosts,
    emptyPieces,
  };
}

/**
 * Width ÷ height of each digit's ink in the MNIST training set, 2% and 98% quantiles: a "0" as narrow as a
 * half-ring is a fragment, a "4" as wide as a "41" is a pair.
 */
const DIGIT_ASPECTS: readonly (readonly [number, number])[] = [
  [0.6, 1.25],
  [0.2, 0.95],
  [0.6, 1.43],
  [0.5, 1.11],
  [0.5, 1.11],
  [0.6, 1.43],
  [0.5, 1.05],
  [0.5, 1.11],
  [0.5, 1.11],
  [0.5, 1.0],
];
/** Cost (log) per unit of relative excess beyond a digit's usual aspect range. */
const ASPECT_LOG_COST = 4;
/**
 * The narrow end of each range is widened by this factor: written digits (a tall, narrow 2 on the pad) are
 * narrower than MNIST's more often than wider, and a narrow digit wrongly penalised loses to a wide merge.
 */
const NARROW_SLACK = 0.8;

/** log of how plausible a box's shape is for `digit`. */
function aspectLogPrior(box: Size, digit: number): number {
  const [mnistLow, high] = DIGIT_ASPECTS[digit] as readonly [number, number];
  const low = mnistLow * NARROW_SLACK;
  const aspect = box.width / box.height;
  if (aspect < low) return (-ASPECT_LOG_COST * (low - aspect)) / low;
  if (aspect > high) return (-ASPECT_LOG_COST * (aspect - high)) / high;
  return 0;
}

/**
 * Mean ink of each digit in MNIST (test digits 1000–9999, in their 20×20 box) against the median digit's: a
 * 1 has about half the ink of a 3, a 0 a fifth more.
 */
const DIGIT_INK = [1.21, 0.54, 1.05, 1.0, 0.85, 0.92, 1.0, 0.8, 1.06, 0.87];
/**
 * A digit with less than this share of the ink its class usually has, against the line's typical digit, is
 * most likely a fragment: a sliver between two cuts that the classifier reads as a confident 1, or the half
 * of a digit. (About the 2% quantile of right readings of the tuning seed; a merge is left to the width and
 * shape priors.)
 */
const LEAST_INK = 0.4;

/** log of how plausible `inkShare` (see Candidate) is for `digit`: 0 unless far too little ink. */
function inkLogPrior(inkShare: number, digit: number): number {
  const share = inkShare / (DIGIT_INK[digit] as number);
  return share < LEAST_INK ? Math.log(Math.max(share, 1e-6) / LEAST_INK) : 0;
}

/** The segment score's input for candidate `index`: the digit detector's features of its model input. */
export function segmentFeatures(
  plan: NumberPlan,
  index: number,
  outputs: { readonly logits: Float32Array; readonly hidden: Float32Array },
): Float64Array {
  return detectorFeaturesAt({ ...outputs, pixels: plan.inputs }, index);
}

/**
 * Weight of the segment score's log-probability in the reading's choice, and a bonus (log) per digit that
 * offsets its typical cost on a whole digit. Tuned on the tuning seeds' numbers (docs/numbers.md).
 */
const SEGMENT_SCORE_WEIGHT = 0.5;
const SEGMENT_SCORE_BONUS = 0.5;

/** The segment score of each candidate (its logit of being one whole digit). */
const segmentScores = (
  plan: NumberPlan,
  outputs: { readonly logits: Float32Array; readonly hidden: Float32Array },
  scorer: ScoreParameters,
): Float64Array =>
  Float64Array.from(plan.candidates, (_, index) => digitScore(scorer, segmentFeatures(plan, index, outputs)));

/** Each candidate's log-prior from its segment score (see chooseReading). */
const segmentLogPriors = (scores: Float64Array): Float64Array =>
  scores.map((score) => {
    // log sigmoid(score), stable for scores of either sign.
    const logProbability = -Math.log1p(Math.exp(-Math.abs(score))) + Math.min(0, score);
    return SEGMENT_SCORE_WEIGHT * logProbability + SEGMENT_SCORE_BONUS;
  });

/**
 * Chooses the reading from the model's probabilities for every candidate (10 per candidate, in plan order):
 * the partition of the pieces into digits with the highest product of confidence⁴ × size prior × shape prior ×
 * ink prior × cut costs × a bonus per digit, times `candidateLogPriors` (as logs; `segmentLogPriors`) when
 * given.
 */
export function chooseReading(
  plan: NumberPlan,
  probabilities: Float32Array,
  candidateLogPriors?: ArrayLike<number>,
): NumberReading {
  const { candidates, pieceCount, cutLogCosts } = plan;
  const best = new Float64Array(pieceCount + 1).fill(Number.NEGATIVE_INFINITY);
  const via = new Int32Array(pieceCount + 1).fill(-1);
  best[0] = 0;
  const answers = candidates.map((_, index) => {
    const row = Array.from(probabilities.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT));
    let digit = 0;
    for (let d = 1; d < CLASS_COUNT; d++) if ((row[d] as number) > (row[digit] as number)) digit = d;
    return { digit, confidence: row[digit] as number, probabilities: row };
  });
  const endingAt: number[][] = Array.from({ length: pieceCount + 1 }, () => []);
  candidates.forEach((candidate, index) => {
    (endingAt[candidate.last + 1] as number[]).push(index);
  });
  for (let end = 1; end <= pieceCount; end++) {
    // A piece with no ink of its own (all its components belong to neighbours) may be passed over.
    if (plan.emptyPieces.includes(end - 1) && (best[end - 1] as number) > (best[end] as number)) {
      best[end] = best[end - 1] as number;
      via[end] = -2;
    }
    for (const index of endingAt[end] as number[]) {
      const candidate = candidates[index] as Candidate;
      const start = best[candidate.first] as number;
      if (start === Number.NEGATIVE_INFINITY) continue;
      const answer = answers[index] as { digit: number; confidence: number };
      // The cut at this candidate's left edge (none before the first piece).
      const cut = candidate.first > 0 ? (cutLogCosts[candidate.first - 1] as number) : 0;
      const score =
        start +
        CONFIDENCE_WEIGHT * Math.log(Math.max(answer.confidence, 1e-12)) +
        candidate.logPrior +
        aspectLogPrior(candidate.box, answer.digit) +
        inkLogPrior(candidate.inkShare, answer.digit) +
        cut +
        (candidateLogPriors?.[index] ?? 0) +
        DIGIT_LOG_BONUS;
      if (score > (best[end] as number)) {
        best[end] = score;
        via[end] = index;
      }
    }
  }
  const chosen: number[] = [];
  for (let end = pieceCount; end > 0; ) {
    const index = via[end] as number;
    if (index === -2) {
      end--;
      continue;
    }
    if (index < 0) throw new NumberReadError('empty', 'no readable ink');
    chosen.push(index);
    end = (candidates[index] as Candidate).first;
  }
  chosen.reverse();
  const digits = chosen.map((index) => ({
    candidate: index,
    ...(answers[index] as { digit: number; confidence: number; probabilities: number[] }),
    box: (candidates[index] as Candidate).box,
  }));
  if (digits.length > MAX_DIGITS) {
    throw new NumberReadError('too_many_digits', `${digits.length} digits`);
  }
  return {
    text: digits.map((d) => d.digit).join(''),
    digits,
    confidence: digits.reduce((product, d) => product * d.confidence, 1),
  };
}

/**
 * The reading of a plan from the model's outputs for its batch, as the Worker reads it: the raw softmax (the
 * choice between cuts was tuned on it; answers are calibrated after) and, when the served model has one, the
 * segment score.
 */
export function readPlan(
  plan: NumberPlan,
  outputs: { readonly logits: Float32Array; readonly hidden: Float32Array },
  segmentScorer?: ScoreParameters,
): NumberReading {
  const scores = segmentScorer && segmentScores(plan, outputs, segmentScorer);
  const reading = chooseReading(
    plan,
    softmaxRows(outputs.logits, plan.candidates.length),
    scores && segmentLogPriors(scores),
  );
  if (!scores) return reading;
  const whole = (index: number) => 1 / (1 + Math.exp(-(scores[index] as number)));
  return { ...reading, digits: reading.digits.map((d) => ({ ...d, whole: whole(d.candidate) })) };
}

/**
 * A reading is flagged `uncertain` below this confidence (the product of its digits' calibrated
 * confidences), or when the segment score gives one of its boxes less than WHOLE_DIGIT_BELOW of being one
 * whole digit: a merged pair or a fragment often reads as one confident digit. Chosen on numbers written
 * from the validation digits (`npx tsx scripts/fit-number-flags.ts`, docs/numbers.md): the pair that
 * catches the most wrong readings while flagging at most a tenth of the right ones.
 */
export const NUMBER_UNCERTAIN_BELOW = 0.9;
export const WHOLE_DIGIT_BELOW = 0.1;

/** What `readingUncertain` looks at in each digit of an answer (calibrated, as the API reports it). */
export interface AnsweredDigit {
  readonly confidence: number;
  readonly uncertain: boolean;
  readonly isDigit: boolean | null;
  readonly whole?: number;
}

/**
 * Whether a reading should be checked by a person: a digit of it is `uncertain` or not a digit, the whole
 * number's confidence (the product of its digits') is low, or a box is unlikely to hold one whole digit.
 */
export function readingUncertain(
  { confidence, digits }: { readonly confidence: number; readonly digits: readonly AnsweredDigit[] },
  thresholds = { confidenceBelow: NUMBER_UNCERTAIN_BELOW, wholeBelow: WHOLE_DIGIT_BELOW },
): boolean {
  return (
    confidence < thresholds.confidenceBelow ||
    digits.some(
      (d) => d.uncertain || d.isDigit === false || (d.whole !== undefined && d.whole < thresholds.wholeBelow),
    )
  );
}
