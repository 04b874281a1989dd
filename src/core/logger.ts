import { pino } from 'pino';
import type { Logger, DestinationStream } from 'pino';
import { redactPii, scrubText } from './redact';

export type { Logger } from 'pino';

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
      serializers: { err: (e: unknown) => redactPii(e instanceof Error ? e : { message: String(e) }) },
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
