/**
 * MPI IDs: a configurable template, default `{country}-{region}-{yy}-{random8}` (e.g. `SN-DKR-26-9XQ7LM2A`).
 *
 * The random part uses Crockford base32 without I, L, O, U (nothing to confuse with 1 or 0) and its
 * LAST character is a check character over the whole ID (dashes excluded). The check is the Damm
 * algorithm over the quasigroup x∘y = (2x + y) mod 37 on the 36 symbols 0-9A-Z: because 37 is prime
 * and 2 ≠ 1, the quasigroup is totally anti-symmetric, so EVERY single substitution and EVERY swap of
 * two adjacent different characters changes the final state and fails validation (proved
 * exhaustively in test/unit/registry/mpi-id.test.ts). Check values that would be 36 or an ambiguous
 * letter are avoided by drawing another random part. Country and region codes have the configured
 * lengths, so a character swapped with a dash never yields another well-formed ID.
 */
import { randomInt } from 'node:crypto';
import { MediatorError } from '../core/errors';

/** Random-part alphabet: Crockford base32 (no I, L, O, U). */
export const MPI_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SYMBOLS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MOD = 37;

/** MPI ID template configuration. */
export interface MpiIdConfig {
  /** e.g. `{country}-{region}-{yy}-{random8}`; `{randomN}` includes the check character. */
  template: string;
  country: string;
  region: string;
}

export const DEFAULT_MPI_ID_CONFIG: MpiIdConfig = { template: '{country}-{region}-{yy}-{random8}', country: 'SN', region: 'DKR' };

/** Generates and validates MPI IDs. */
export interface MpiIdCodec {
  generate(now: Date): string;
  /** Canonical (upper-case) form, or throws MediatorError 'invalid'. */
  validate(id: string): string;
  isValid(id: string): boolean;
}

function dammState(chars: string): number | null {
  let state = 0;
  for (const ch of chars) {
    const v = SYMBOLS.indexOf(ch);
    if (v < 0) {
      return null;
    }
    state = (2 * state + v) % MOD;
  }
  return state;
}

/**
 * The check value making the final Damm state 0, or null when it is not a usable character.
 * @param body - the ID without dashes and without its check character
 */
export function checkCharacter(body: string): string | null {
  const state = dammState(body);
  if (state === null) {
    return null;
  }
  const c = (MOD - ((2 * state) % MOD)) % MOD;
  const ch = SYMBOLS[c];
  return ch !== undefined && MPI_ALPHABET.includes(ch) ? ch : null;
}

/**
 * Whether the Damm check over the whole ID (dashes removed) holds.
 * @param id - a canonical MPI ID
 */
export function checkDigitValid(id: string): boolean {
  return dammState(id.replace(/-/g, '')) === 0;
}

function templateRegex(cfg: MpiIdConfig): RegExp {
  const escaped = cfg.template.replace(/[.*+?^${}()|[\]\\]/g, (m) => (m === '{' || m === '}' ? m : `\\${m}`));
  const pattern = escaped
    // Fixed lengths: a character swapped with a dash must not yield another well-formed ID.
    .replace('{country}', `[A-Z]{${cfg.country.length}}`)
    .replace('{region}', `[A-Z0-9]{${cfg.region.length}}`)
    .replace('{yyyy}', '[0-9]{4}')
    .replace('{yy}', '[0-9]{2}')
    .replace(/\{random(\d+)\}/, (_m, n: string) => `[${MPI_ALPHABET}]{${n}}`);
  return new RegExp(`^${pattern}$`);
}

function randomLength(cfg: MpiIdConfig): number {
  const m = /\{random(\d+)\}/.exec(cfg.template);
  if (!m || !cfg.template.trimEnd().endsWith(m[0]) || Number(m[1]) < 4) {
    throw new MediatorError('invalid', 'MPI ID template must end with {randomN}, N >= 4');
  }
  return Number(m[1]);
}

/**
 * Build the MPI ID codec for a template.
 * @param cfg - template, country and region
 * @param random - injectable integer source (crypto by default)
 */
export function createMpiIdCodec(cfg: MpiIdConfig = DEFAULT_MPI_ID_CONFIG, random: (max: number) => number = randomInt): MpiIdCodec {
  const n = randomLength(cfg);
  const regex = templateRegex(cfg);
  const isValid = (id: string): boolean => regex.test(id) && checkDigitValid(id);
  return {
    generate(now: Date): string {
      const yyyy = String(now.getUTCFullYear());
      const prefix = cfg.template.replace('{country}', cfg.country).replace('{region}', cfg.region).replace('{yyyy}', yyyy).replace('{yy}', yyyy.slice(2));
      for (;;) {
        let body = '';
        for (let i = 0; i < n - 1; i++) {
          body += MPI_ALPHABET[random(MPI_ALPHABET.length)];
        }
        const partial = prefix.replace(/\{random\d+\}/, body);
        const check = checkCharacter(partial.replace(/-/g, ''));
        if (check !== null) {
          return partial + check;
        }
      }
    },
    validate(id: string): string {
      const canonical = id.trim().toUpperCase();
      if (!isValid(canonical)) {
        throw new MediatorError('invalid', 'not a valid MPI ID (format or check character)');
      }
      return canonical;
    },
    isValid: (id) => isValid(id.trim().toUpperCase()),
  };
}
