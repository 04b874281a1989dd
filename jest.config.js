// ESM-only packages that Jest's CommonJS runtime cannot load on Node 20 without compiling them to CJS.
const esmOnly = ['jose', 'double-metaphone', 'fhir-kit-client'];
const shared = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  // fhir-kit-client@2 exports only the "import" condition; point the CJS resolver at the file.
  moduleNameMapper: { '^fhir-kit-client$': '<rootDir>/node_modules/fhir-kit-client/dist/index.js' },
};

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/helpers/fhir-schema-reporter.js'],
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.int.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.js',
      testTimeout: 60000,
    },
  ],
};
