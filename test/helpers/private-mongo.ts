/**
 * A private MongoDB stand-in (`secantusd-rs`, the local stack's binary, SECANTUSD_BIN from
 * `.stack/env`) on free ports with its own data directory, for tests that kill the store and start
 * it again on the same data — never the shared stack's server.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePortPair } from './private-kafka';
import { PrivateProcess } from './private-process';
import { createMongoClient } from '../../src/storage/mongo-client';

/** A stand-in server whose process the test controls. */
export class PrivateMongo extends PrivateProcess {

  /**
   * @param port - where it listens
   */
  private constructor(readonly port: number) {
    super('passerelle-mongo-');
  }

  /** A server on a free port (not started). */
  static async create(): Promise<PrivateMongo> {
    return new PrivateMongo(await freePortPair());
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/?directConnection=true`;
  }

  /** Start it on its data directory and wait until a ping answers. */
  async start(timeoutMs = 60000): Promise<void> {
    const bin = process.env.SECANTUSD_BIN;
    if (!bin) throw new Error('SECANTUSD_BIN is not set: run npm run stack:up (it writes .stack/env)');
    this.proc = spawn(bin, ['--host', '127.0.0.1', '--port', String(this.port), '--storage-path', join(this.dir, 'data'), '--cache-size', '256M', '--log-level', 'WARNING'], { stdio: 'ignore' });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = createMongoClient(this.uri, { serverSelectionTimeoutMS: 500 });
      try {
        await client.db('admin').command({ ping: 1 });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await client.close();
      }
    }
  }
}
