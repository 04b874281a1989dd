import { pino } from 'pino';
import type { Logger, DestinationStream } from 'pino';
import { errorSummary, isError, redactPii, scrubText } from './redact';

export type { Logger } from 'pino';

/**
 * An error as a log field: type, scrubbed message and code, also for thrown non-Error values.
 * @param e - whatever was thrown
 */
function serializeError(e: unknown): unknown {
  if (isError(e)) return errorSummary(e);
  if (typeof e !== 'object' || e === null) return { type: typeof e };
  // Already summarised by the redacting log formatter (it runs first).
  if ('type' in e && !('message' in e)) return e;
  // Errors from another realm (or error-like objects) fail instanceof; summarise them the same way.
  const o = e as { name?: unknown; message?: unknown; code?: unknown; codeName?: unknown; stack?: unknown };
  const like = Object.assign(new Error(typeof o.message === 'string' ? o.message : ''), { name: typeof o.name === 'string' ? o.name : 'Object', code: o.code ?? o.codeName });
  if (typeof o.stack === 'string') like.stack = o.stack;
  return errorSummary(like);
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
