/**
 * A server process a test owns (a private Kafka broker, a private MongoDB stand-in): its own data
 * directory, killed abruptly to simulate a crash, removed with its files at the end.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The process and data directory of a private server; subclasses start it. */
export abstract class PrivateProcess {
  protected proc: ChildProcess | null = null;
  protected readonly dir: string;

  /**
   * @param dirPrefix - prefix of its temporary data directory
   */
  protected constructor(dirPrefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), dirPrefix));
  }

  /** SIGKILL (a crash: no shutdown, nothing flushed) and wait for the process to be gone. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Kill and remove every file. */
  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
