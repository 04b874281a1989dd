import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/logger';
import type { Logger } from '../../src/core/logger';

/** A real pino logger whose lines are kept in memory (for assertions) instead of printed. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb): void {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger(level, stream), lines };
}
