/**
 * FHIR token parameter forms for identifiers (http://hl7.org/fhir/R4/search.html#token):
 * `system|value`, `|value` (no system), bare `value` (any system), `system|` (any value in system).
 * Values are kept literal: `|` may be escaped as `\|` and is never read as anything else.
 */
import { MediatorError } from '../../core/errors';

/** A parsed token: `system` undefined means any system, `''` means no system. */
export interface TokenParam {
  system?: string;
  value?: string;
}

/**
 * Split on the first unescaped `|` and unescape `\|`, `\,`, `\$`, `\\`.
 * @param raw - the raw parameter value
 */
export function parseToken(raw: string): TokenParam {
  let split = -1;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') {
      i++;
    } else if (raw[i] === '|') {
      split = i;
      break;
    }
  }
  const unescape = (s: string): string => s.replace(/\\([|,$\\])/g, '$1');
  if (split < 0) {
    const value = unescape(raw);
    if (!value) {
      throw new MediatorError('invalid', 'Empty token value');
    }
    return { value };
  }
  const system = unescape(raw.slice(0, split));
  const value = unescape(raw.slice(split + 1));
  if (!system && !value) {
    throw new MediatorError('invalid', 'Token "|" needs a system or a value');
  }
  return value ? { system, value } : { system };
}

/**
 * Split a parameter value on unescaped commas (OR lists).
 * @param raw - the raw parameter value
 */
export function splitOr(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '\\' && i + 1 < raw.length) {
      cur += c + (raw[i + 1] as string);
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

/**
 * Parse a `system|value` with both parts required (PIXm sourceIdentifier, conditional update).
 * @param raw - the raw value
 * @param what - parameter name for the error message
 */
export function parseFullToken(raw: string | undefined, what: string): { system: string; value: string } {
  const t = raw === undefined ? undefined : parseToken(raw);
  if (!t?.system || !t.value) {
    throw new MediatorError('invalid', `${what} must be system|value`, { expression: what });
  }
  return { system: t.system, value: t.value };
}
