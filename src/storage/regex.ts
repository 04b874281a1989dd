/**
 * Escape every regular-expression metacharacter, so a caller's text can only ever match itself
 * inside a `$regex` (prefix searches build `^${escapeRegex(text)}`).
 * @param s - literal text
 */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\-/]/g, '\\$&');
}
