/**
 * A second, private Kafka broker for tests that must take the broker away (outage and recovery)
 * without disturbing the shared local stack. It reuses the stack's jars and server template.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { PrivateProcess } from './private-process';

const root = join(__dirname, '..', '..');
const libs = join(root, '.stack', 'kafka', 'libs', '*');

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Whether a listener can bind `port` on loopback now (a connect test misses a port held by an outgoing socket). */
function portBindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A port whose neighbour is free too (the broker's controller listens on port + 1), below the
 * kernel's ephemeral range (32768+, where outgoing connections take their local ports: a port found
 * free there can be taken by a client socket before the process binds it), and away from the
 * stack's default ports and from other checkouts' stacks, which use 19xxx/27xxx/29xxx.
 */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + 2 * Math.floor(Math.random() * 3500);
    if (await portBindable(port) && await portBindable(port + 1)) return port;
  }
  throw new Error('no free port pair for a private Kafka broker');
}

/** A broker on `port` whose process the test controls. */
export class PrivateKafka extends PrivateProcess {
  private readonly props = join(this.dir, 'server.properties');

  /**
   * @param port - client port (the controller uses port + 1)
   */
  constructor(readonly port: number) {
    super('passerelle-kafka-');
    const template = readFileSync(join(root, 'stack', 'server.properties.template'), 'utf8');
    writeFileSync(this.props, template.replaceAll('@KAFKA_PORT@', String(port)).replaceAll('@CONTROLLER_PORT@', String(port + 1)).replaceAll('@DATA_DIR@', join(this.dir, 'data')));
    const id = execFileSync('java', ['-cp', libs, 'kafka.tools.StorageTool', 'random-uuid']).toString().trim().split('\n').pop()!;
    execFileSync('java', ['-cp', libs, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', this.props], { stdio: 'ignore' });
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Start the broker and wait until its port accepts connections. */
  async start(timeoutMs = 60000): Promise<void> {
    this.proc = spawn('java', ['-Xms64m', '-Xmx256m', `-Dlog4j2.configurationFile=${join(root, 'stack', 'log4j2.xml')}`, `-Dkafka.logs.dir=${this.dir}`, '-cp', libs, 'kafka.Kafka', this.props], { stdio: 'ignore' });
    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(this.port))) {
      if (Date.now() > deadline) throw new Error(`private Kafka did not open port ${this.port}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
