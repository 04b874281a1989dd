/**
 * Random printable ASCII (0x20–0x7e), for property tests of text normalisation.
 * @param rand - a seeded generator of numbers in [0, 1) (mulberry32)
 * @param maxLength - longest string made (exclusive)
 */
export function printableAscii(rand: () => number, maxLength: number): string {
  return Array.from({ length: Math.floor(rand() * maxLength) }, () => String.fromCharCode(0x20 + Math.floor(rand() * 95))).join('');
}
