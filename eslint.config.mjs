import tseslint from 'typescript-eslint';

// Dependency zones (no-restricted-imports; a later block replaces an earlier one's options for its
// files, so each zone lists everything it forbids). Adapters are chosen only by the composition root
// (app.ts, registry-module.ts) and the tools (src/cli); no module reaches into another's internals.
const DRIVERS = {
  mongodb: { name: 'mongodb', message: 'Only the storage adapters (src/storage, registry/mongo, the */mongo*.ts stores) and the composition root import the driver.' },
  kafkajs: { name: 'kafkajs', message: 'Only src/events/kafka/ imports kafkajs.' },
};
// Imports that leave the importing module's folder (`../`); `fhir/r4` is the FHIR types package, not src/fhir.
const rel = (tail) => `^(?:\\.\\./)+(?:.*/)?${tail}`;
const ZONES = {
  registryStores: { regex: rel('registry/(?:mongo|memory)(?:/|$)'), message: 'Only app.ts, registry-module.ts and the tools choose a registry store: depend on registry/api.' },
  adapters: { regex: rel('(?:audit/(?:mongo|memory)|practitioners/(?:mongo-store|memory-store)|http/auth/mongo-clients|events/kafka|channels)(?:/|$)'), message: 'Adapters are chosen by the composition root (app.ts): depend on the port.' },
  registry: { regex: rel('registry(?:/(?!api$)|$)'), message: 'audit, practitioners, http and storage never reach into the registry (its service API is registry/api).' },
  apis: { regex: rel('(?:fhir|mpi-api)(?:/|$)'), message: 'Stores and cross-cutting plugins never import the API surfaces.' },
  channelAdapters: { regex: rel('channels/(?!ports$|upstream-error$)'), message: 'The sync uses channels through channels/ports (the composition root builds them: sync-module.ts).' },
  syncFlow: { regex: rel('sync(?:/|$)'), message: 'Channels and mappings never import the sync that drives them.' },
};
const restrict = (paths, patterns) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'coverage/**', '**/*.js', '**/*.mjs', '!src/steward/public/*.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true, allowTypedFunctionExpressions: true, allowHigherOrderFunctions: true }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      ...restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [ZONES.registryStores, ZONES.adapters]),
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='MongoClient']", message: 'Use createMongoClient (src/storage/mongo-client.ts): it sends a handshake MongoDB accepts, also under Jest.' },
        { selector: "CallExpression[callee.object.name='MongoClient'][callee.property.name='connect']", message: 'Use createMongoClient(uri).connect() (src/storage/mongo-client.ts).' },
      ],
    },
  },
  { files: ['src/storage/mongo-client.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['src/registry/**'], rules: restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [ZONES.adapters, ZONES.apis]) },
  { files: ['src/registry/mongo/**'], rules: restrict([DRIVERS.kafkajs], [ZONES.adapters, ZONES.apis]) },
  { files: ['src/audit/**', 'src/practitioners/**', 'src/http/**'], rules: restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [ZONES.registry, ZONES.adapters, ZONES.apis]) },
  { files: ['src/audit/mongo.ts', 'src/practitioners/mongo-store.ts', 'src/http/auth/mongo-clients.ts'], rules: restrict([DRIVERS.kafkajs], [ZONES.registry, ZONES.adapters, ZONES.apis]) },
  { files: ['src/storage/**'], rules: restrict([DRIVERS.kafkajs], [ZONES.registry, ZONES.adapters, ZONES.apis]) },
  { files: ['src/events/kafka/**'], rules: restrict([{ name: 'mongodb', message: 'events never touch the database' }], [ZONES.registryStores, ZONES.apis]) },
  { files: ['src/fhir/**', 'src/mpi-api/**'], rules: restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [{ ...ZONES.registryStores, message: 'APIs depend on the registry API and ports, not adapters' }, ZONES.adapters]) },
  // Channels speak HTTP to their sources: no driver, no registry, no API surface (src/channels).
  { files: ['src/channels/**', 'src/transforms/**'], rules: restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [ZONES.registryStores, ZONES.apis, ZONES.syncFlow]) },
  // The sync (a flow) uses channels through their ports only; its MongoDB stores are adapters.
  { files: ['src/sync/**'], rules: restrict([DRIVERS.mongodb, DRIVERS.kafkajs], [ZONES.registryStores, ZONES.apis, ZONES.channelAdapters]) },
  { files: ['src/sync/mongo-stores.ts'], rules: restrict([DRIVERS.kafkajs], [ZONES.registryStores, ZONES.apis, ZONES.channelAdapters]) },
  // The composition root and the tools choose adapters; tests and benchmarks reach into what they exercise.
  { files: ['src/app.ts', 'src/registry-module.ts', 'src/events-module.ts', 'src/ingest-module.ts', 'src/sync-module.ts', 'src/transforms-module.ts', 'src/cli/**', 'test/**', 'bench/**', 'scripts/**'], rules: { 'no-restricted-imports': 'off' } },
  // The consumer example is a stand-alone service (its own package.json): it uses kafkajs directly.
  { files: ['examples/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    // The steward page's browser modules: plain JavaScript typed with JSDoc (src/steward/public/tsconfig.json).
    files: ['src/steward/public/*.js'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
