/**
 * Manage the token endpoint's machine clients:
 *
 *   clients create --id lab-system --name "National lab" --scopes "system/Patient.read mpi/review"
 *   clients create --id pharmacy --name Pharmacy --scopes system/Patient.read --method private_key_jwt --jwks-file pharmacy.jwks.json
 *   clients create --id openhim-dhis2 --name "DHIS2 via OpenHIM" --scopes system/Patient.write --method openhim
 *   clients list
 *   clients revoke --id lab-system
 *
 * A client secret is printed once and stored only as a scrypt hash, in the mediator's database: the
 * environment is read through the mediator's loadConfig (tool-runtime.ts).
 */
import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../core/types';
import { systemClock } from '../core/types';
import type { ClientAuthMethod, ClientRecord, ClientStore } from '../http/auth/clients';
import { MongoClientStore } from '../http/auth/mongo-clients';
import { generateSecret, hashSecret } from '../http/auth/secrets';
import { SCOPES } from '../http/auth/types';
import { openToolDatabase, runTool } from './tool-runtime';

export interface CliDeps {
  store: ClientStore;
  out: (line: string) => void;
  clock?: Clock;
  readFile?: (path: string) => string;
}

const SCOPE_PATTERN = /^system\/(\*|Patient|Practitioner)\.(read|write|\*)$/;
const METHODS: ClientAuthMethod[] = ['client_secret', 'private_key_jwt', 'openhim'];

function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i];
    const v = args[i + 1];
    if (!k?.startsWith('--') || v === undefined) throw new Error(`expected --flag value pairs, got ${k ?? 'nothing'}`);
    out[k.slice(2)] = v;
  }
  return out;
}

function parseScopes(raw: string | undefined): string[] {
  const scopes = (raw ?? '').split(/[\s,]+/).filter(Boolean);
  if (scopes.length === 0) throw new Error('--scopes is required');
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s) && !SCOPE_PATTERN.test(s));
  if (bad.length > 0) throw new Error(`unknown scope(s): ${bad.join(', ')}; known: ${SCOPES.join(', ')}`);
  return scopes;
}

function parseJwks(text: string): JSONWebKeySet {
  const jwks = JSON.parse(text) as JSONWebKeySet;
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) throw new Error('the JWKS file has no keys');
  if (jwks.keys.some((k) => 'd' in k || k.kty === 'oct')) throw new Error('the JWKS must hold public asymmetric keys only');
  return jwks;
}

async function create(f: Record<string, string>, deps: CliDeps): Promise<void> {
  const id = f.id ?? '';
  if (!/^[A-Za-z0-9._-]{3,100}$/.test(id)) throw new Error('--id: 3-100 letters, digits, dot, dash or underscore');
  const method = (f.method ?? 'client_secret') as ClientAuthMethod;
  if (!METHODS.includes(method)) throw new Error(`--method: one of ${METHODS.join(', ')}`);
  const client: ClientRecord = { clientId: id, name: f.name ?? id, authMethod: method, scopes: parseScopes(f.scopes), status: 'active', createdAt: (deps.clock ?? systemClock).now().toISOString() };
  if (f['rate-limit']) client.rateLimitPerMinute = Number(f['rate-limit']);
  let secret: string | undefined;
  if (method === 'client_secret') {
    secret = generateSecret();
    client.secretHash = await hashSecret(secret);
  }
  if (method === 'private_key_jwt') {
    if (!f['jwks-file']) throw new Error('--jwks-file is required for private_key_jwt');
    client.jwks = parseJwks((deps.readFile ?? ((p) => readFileSync(p, 'utf8')))(f['jwks-file']));
  }
  await deps.store.create(client);
  deps.out(`created client ${id} (${method}) with scopes: ${client.scopes.join(' ')}`);
  if (secret) deps.out(`client_secret: ${secret}\n(shown once; store it now — only its hash is kept)`);
}

const COMMANDS = new Set(['create', 'list', 'revoke']);

/** Print the usage; 0 when it was asked for, 2 for an unknown command. */
function usage(command: string | undefined, out: (line: string) => void): number {
  out('usage: clients create --id ID --name NAME --scopes "S1 S2" [--method client_secret|private_key_jwt|openhim] [--jwks-file F] | list | revoke --id ID');
  return command === undefined || command === 'help' ? 0 : 2;
}

/**
 * Run one CLI command; returns the process exit code.
 * @param argv - arguments after the script name
 * @param deps - client store and output
 */
export async function runClientsCli(argv: string[], deps: CliDeps): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'create') await create(flags(rest), deps);
    else if (command === 'list') {
      for (const c of await deps.store.list()) deps.out([c.clientId, c.authMethod, c.status, c.scopes.join(' '), c.createdAt].join('\t'));
    } else if (command === 'revoke') {
      const id = flags(rest).id ?? '';
      if (!(await deps.store.revoke(id, (deps.clock ?? systemClock).now().toISOString()))) throw new Error(`no client ${id}`);
      deps.out(`revoked client ${id}; its tokens expire within their lifetime (5 minutes)`);
    } else {
      return usage(command, deps.out);
    }
    return 0;
  } catch (err) {
    deps.out(`error: ${(err as Error).message}`);
    return 1;
  }
}

/**
 * The `clients` tool against the database the environment names.
 * @param argv - arguments after the script name
 * @param env - the environment (process.env from a shell), read through loadConfig
 * @param out - where lines go
 * @returns the exit code
 */
export async function runClientsTool(argv: string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  if (!COMMANDS.has(argv[0] ?? '')) return usage(argv[0], out);
  const opened = await openToolDatabase(env, 'passerelle-clients-cli');
  try {
    return await runClientsCli(argv, { store: new MongoClientStore(opened.db), out });
  } finally {
    await opened.close();
  }
}

if (require.main === module) {
  runTool(() => runClientsTool(process.argv.slice(2), process.env, (l) => process.stdout.write(`${l}\n`)));
}
