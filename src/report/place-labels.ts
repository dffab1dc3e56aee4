/** A label to place near a point, as text the map will draw at 11 px. */
export interface LabelCandidate {
  key: string;
  text: string;
  x: number;
  y: number;
}

export interface PlacedLabel extends LabelCandidate {
  /** Where the text's centre went; (x, y) is the point it belongs to. */
  labelX: number;
  labelY: number;
}

export interface LabelBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

// Bold 11 px system-ui: digits and capitals average under 7 px; the estimate errs wide so that
// labels judged apart are apart in every browser. Measured in Chromium by the browser test.
const CHAR_WIDTH_PX = 7.2;
const LINE_HEIGHT_PX = 14;
const GAP_PX = 2;
// Where a label may go, tried in order: on its point, just above, below, then beside it.
const OFFSETS: Array<[number, number]> = [
  [0, 0],
  [0, -LINE_HEIGHT_PX],
  [0, LINE_HEIGHT_PX],
  [0, -2 * LINE_HEIGHT_PX],
  [0, 2 * LINE_HEIGHT_PX],
  [1, 0],
  [-1, 0],
];

/** The box a label's text covers when centred on (x, y). */
export function estimateLabelBox(text: string, x: number, y: number): LabelBox {
  const half = (text.length * CHAR_WIDTH_PX) / 2;
  return { left: x - half, right: x + half, top: y - LINE_HEIGHT_PX / 2, bottom: y + LINE_HEIGHT_PX / 2 };
}

/** Whether two boxes overlap once each is grown by the gap kept between labels. */
export function boxesOverlap(a: LabelBox, b: LabelBox): boolean {
  return a.left < b.right + GAP_PX && b.left < a.right + GAP_PX && a.top < b.bottom + GAP_PX && b.top < a.bottom + GAP_PX;
}

/**
 * Place labels in the order given (the busiest first), each at the first offset where it overlaps
 * no label already placed and stays inside the map; a label with no such place is left out (the
 * country keeps its shading, its tooltip and its table row). Pure.
 */
export function placeLabels(candidates: LabelCandidate[], width: number, height: number): PlacedLabel[] {
  const placed: Array<{ label: PlacedLabel; box: LabelBox }> = [];
  for (const candidate of candidates) {
    const halfWidth = (candidate.text.length * CHAR_WIDTH_PX) / 2;
    for (const [sideways, down] of OFFSETS) {
      const labelX = candidate.x + sideways * (2 * halfWidth + GAP_PX);
      const labelY = candidate.y + down;
      const box = estimateLabelBox(candidate.text, labelX, labelY);
      if (box.left < 0 || box.right > width || box.top < 0 || box.bottom > height) continue;
      if (placed.some((other) => boxesOverlap(box, other.box))) continue;
      placed.push({ label: { ...candidate, labelX, labelY }, box });
      break;
    }
  }
  return placed.map((entry) => entry.label);
}
