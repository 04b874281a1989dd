import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.stack/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
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
      'no-restricted-imports': ['error', { paths: [{ name: 'mongodb', message: 'Only src/registry/mongo and app.ts may import the driver.' }, { name: 'kafkajs', message: 'Only src/events/kafka.ts imports kafkajs.' }] }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='MongoClient']", message: 'Use createMongoClient (src/storage/mongo-client.ts): it sends a handshake MongoDB accepts, also under Jest.' },
        { selector: "CallExpression[callee.object.name='MongoClient'][callee.property.name='connect']", message: 'Use createMongoClient(uri).connect() (src/storage/mongo-client.ts).' },
      ],
    },
  },
  { files: ['src/storage/mongo-client.ts'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['src/storage/**', 'src/registry/mongo/**', 'src/app.ts', 'src/registry-module.ts', 'src/cli/**', 'src/audit/mongo.ts', 'src/http/auth/mongo-clients.ts', 'src/practitioners/mongo-store.ts', 'src/sync/mongo-stores.ts', 'src/sync-module.ts', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  { files: ['src/events/kafka.ts'], rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'mongodb', message: 'events never touch the database' }] }] } },
  {
    files: ['src/fhir/**', 'src/mpi-api/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/registry/mongo/**', '**/registry/memory/**', '**/events/kafka', '**/channels/**'], message: 'APIs depend on ports, not adapters' }], paths: ['mongodb', 'kafkajs'] }] },
  },
  {
    files: ['test/**'],
    rules: { '@typescript-eslint/unbound-method': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
