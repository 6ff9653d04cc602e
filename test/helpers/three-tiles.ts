/**
 * The expected 7×7 grey grid of the tiling tests' hand-made activation: three 2×2 tiles in
 * 2 × 2 slots (slot 3 empty), padding 1 shown as `pad`, from each channel's four values.
 */
export function threeTiles(pad: number, c0: number[], c1: number[], c2: number[]): number[][] {
  const P = pad;
  return [
    [P, P, P, P, P, P, P],
    [P, c0[0], c0[1], P, c1[0], c1[1], P],
    [P, c0[2], c0[3], P, c1[2], c1[3], P],
    [P, P, P, P, P, P, P],
    [P, c2[0], c2[1], P, P, P, P],
    [P, c2[2], c2[3], P, P, P, P],
    [P, P, P, P, P, P, P],
  ];
}
