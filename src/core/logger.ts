import { pino } from 'pino';
import type { Logger, DestinationStream } from 'pino';
import { redactPii, scrubText } from './redact';

export type { Logger } from 'pino';

/**
 * An error as a log field: type, scrubbed message and code, also for thrown non-Error values.
 * @param e - whatever was thrown
 */
function serializeError(e: unknown): unknown {
  if (e instanceof Error || typeof e !== 'object' || e === null) return redactPii(e instanceof Error ? e : { message: String(e) });
  const o = e as { name?: unknown; message?: unknown; code?: unknown; codeName?: unknown };
  return redactPii(Object.assign(new Error(typeof o.message === 'string' ? o.message : 'non-Error value thrown'), { name: typeof o.name === 'string' ? o.name : 'Object', code: o.code ?? o.codeName }));
}

/**
 * Build the process logger: JSON lines, PII redacted from every object and error, messages scrubbed.
 * @param level - pino level
 * @param destination - where lines go (stdout by default; tests pass a memory stream)
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'passerelle' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactPii(obj) as Record<string, unknown>,
      },
      serializers: { err: serializeError },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubText(a) : a)) as Parameters<typeof method>;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
