/**
 * The kafkajs 2.2.4 RequestQueue patch (scripts/patches/README.md): installed, idle queues arm no
 * timer (so Node 24 prints no TimeoutNegativeWarning and nothing polls every millisecond), and the
 * timers kafkajs needs — a pending request, a running throttle — are still armed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const patch = require('../../../scripts/patches/kafkajs-idle-timer.js') as { isPatched(root: string): boolean; apply(root: string): string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (opts: Record<string, unknown>) => Queue;

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const root = join(__dirname, '..', '..', '..');
const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queue = (): Queue => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 1000, enforceRequestTimeout: false, clientId: 't', broker: 'b', logger });

describe('kafkajs idle-timer patch', () => {
  it('is applied to the installed kafkajs, and applying it again changes nothing', () => {
    expect(patch.isPatched(root)).toBe(true);
    expect(patch.apply(root)).toBe('already');
  });

  it('patches the upstream file once, and refuses another version or unexpected code', () => {
    const fake = mkdtempSync(join(tmpdir(), 'kafkajs-patch-'));
    const dir = join(fake, 'node_modules', 'kafkajs');
    const file = join(dir, 'src', 'network', 'requestQueue', 'index.js');
    const installed = readFileSync(require.resolve('kafkajs/src/network/requestQueue'), 'utf8');
    const upstream = installed.replace(/      } else if \(scheduleAt <= 0\) \{\n(?:        \/\/.*\n)+        return\n/, '');
    try {
      mkdirSync(join(dir, 'src', 'network', 'requestQueue'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kafkajs', version: '2.2.4' }));
      writeFileSync(file, upstream);
      expect(patch.isPatched(fake)).toBe(false);
      expect(patch.apply(fake)).toBe('patched');
      expect(readFileSync(file, 'utf8')).toBe(installed);
      writeFileSync(file, 'something else');
      expect(() => patch.apply(fake)).toThrow('refusing');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'kafkajs', version: '2.3.0' }));
      expect(() => patch.apply(fake)).toThrow('for 2.2.4 only');
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('arms no timer for an idle, unthrottled queue and emits no warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    const q = queue();
    try {
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).toBeNull();
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.name === 'TimeoutNegativeWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      q.destroy();
    }
  });

  it('still checks a pending request and the end of a throttle', () => {
    const pending = queue();
    pending.pending.push({});
    pending.scheduleCheckPendingRequests();
    expect(pending.throttleCheckTimeoutId).not.toBeNull();
    pending.destroy();

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    throttled.destroy();
  });
});
