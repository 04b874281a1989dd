/**
 * No Docker engine runs here, so this test reads docker-compose.yml and the Dockerfile and checks
 * their wiring against the configuration schema instead of starting them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envSchema } from '../../../src/config/schema';
import { loadConfig } from '../../../src/config';

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  command?: string[];
  secrets?: string[];
}

const root = join(__dirname, '..', '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; secrets: Record<string, unknown> };
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const passerelle = compose.services.passerelle!;
const env = passerelle.environment ?? {};

describe('docker-compose.yml', () => {
  it('passes Passerelle only variables the config schema knows', () => {
    const known = new Set(Object.keys(envSchema.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
  });

  it('gives Passerelle a configuration that validates', () => {
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[^}]+\}/g, /PASSWORD|SECRET/.test(k) ? 'a-secret-of-the-deployment-0123' : 'http://x')]));
    expect(() => loadConfig(resolved)).not.toThrow();
  });

  it('points Passerelle at the services it declares', () => {
    const names = Object.keys(compose.services);
    const deps = Object.keys(passerelle.depends_on ?? {});
    expect(deps.every((d) => names.includes(d))).toBe(true);
    expect(env.MONGODB_URI).toMatch(/^mongodb:\/\/mongo:27017\/\?replicaSet=rs0$/);
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.OPENHIM_API_URL).toBe('https://openhim-core:8080');
  });

  it('runs MongoDB 7 as a replica set initiated with the same name', () => {
    expect(compose.services.mongo!.image).toMatch(/^mongo:7/);
    expect(compose.services.mongo!.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
    expect(compose.services['mongo-init']!.command!.join(' ')).toContain("_id: 'rs0'");
  });

  it('runs Kafka in KRaft mode advertising the address Passerelle uses and creates the contract topics', () => {
    const k = compose.services.kafka!.environment!;
    expect(k.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(k.KAFKA_ADVERTISED_LISTENERS).toBe(`PLAINTEXT://${env.KAFKA_BROKERS}`);
    const script = compose.services['kafka-topics']!.command!.join(' ');
    for (const t of ['passerelle.patient.identity', 'passerelle.practitioner.identity', 'passerelle.review', 'passerelle.ingest.dlq']) expect(script).toContain(t);
  });

  it('runs OpenHIM Core v8.5.0 with its own MongoDB and the console', () => {
    const core = compose.services['openhim-core']!;
    expect(core.image).toBe('jembi/openhim-core:v8.5.0');
    expect(core.environment!.mongo_url).toMatch(/^mongodb:\/\/openhim-mongo\//);
    expect(compose.services['openhim-console']).toBeDefined();
  });

  it('publishes and health-checks the port Passerelle listens on', () => {
    expect(passerelle.ports).toContain(`${env.PORT}:${env.PORT}`);
    expect(passerelle.healthcheck!.test.join(' ')).toContain(`127.0.0.1:${env.PORT}/ready`);
    expect(dockerfile).toContain(`EXPOSE ${env.PORT}`);
  });

  it('declares every secret it mounts', () => {
    for (const s of passerelle.secrets ?? []) expect(compose.secrets[s]).toBeDefined();
  });
});

describe('Dockerfile', () => {
  it('is multi-stage and runs as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
  });

  it('compiles mediator-config.json into the build (src/openhim imports it; dist/ carries it)', () => {
    const build = dockerfile.slice(0, dockerfile.indexOf('AS runtime'));
    const copied = build.indexOf('mediator-config.json');
    expect(copied).toBeGreaterThan(-1);
    expect(copied).toBeLessThan(build.indexOf('npm run -s build'));
  });

  it('installs from the committed lock and runs the Node that npm test runs (Node 24 LTS)', () => {
    expect(dockerfile).not.toMatch(/npm install/);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
    const tested = /PASSERELLE_NODE_VERSION=(\S+)/.exec(readFileSync(join(root, 'scripts', 'lib', 'ensure-node.sh'), 'utf8'))?.[1];
    for (const from of dockerfile.match(/^FROM \S+/gm) ?? []) expect(from).toBe(`FROM node:${tested}-bookworm-slim`);
    expect(pkg.engines.node).toBe('>=24.0.0');
  });

  it('the lock lists every platform of optional native packages, so npm ci works on any machine', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    for (const platform of ['darwin-arm64', 'darwin-x64', 'linux-x64-gnu', 'linux-arm64-gnu', 'win32-x64-msvc']) {
      expect(lock.packages[`node_modules/@swc/core-${platform}`]).toBeDefined();
    }
  });

  it('gives V8 the same young generation as npm start, the demo and the benchmarks', () => {
    const flag = /--max-semi-space-size=(\d+)/;
    const sizeIn = (text: string): string | undefined => flag.exec(text)?.[1];
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const size = sizeIn(/^ENV .*NODE_OPTIONS=.*$/m.exec(dockerfile)?.[0] ?? '');
    expect(size).toBeDefined();
    expect(sizeIn(pkg.scripts.start ?? '')).toBe(size);
    expect(sizeIn(readFileSync(join(root, 'scripts', 'demo.sh'), 'utf8'))).toBe(size);
    expect(sizeIn(readFileSync(join(root, 'bench', 'run.ts'), 'utf8'))).toBe(size);
  });
});
