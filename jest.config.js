// Two projects: `unit` (pure logic, fast) and `integration` (real HTTP servers,
// real go, real Docker). CI runs both; `npm run test:unit` runs the first alone.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] }
}

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'], testPathIgnorePatterns: ['\\.int\\.test\\.ts$'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/__tests__/**/*.int.test.ts'] }
  ],
  // Integration tests run Docker builds; testTimeout is a global option, not a project one.
  testTimeout: 600000,
  // One GOCACHE the harness shares between action runs (support/action-harness.ts, withGoCacheSeed).
  globalSetup: '<rootDir>/__tests__/support/go-cache-seed.mjs',
  globalTeardown: '<rootDir>/__tests__/support/go-cache-seed-teardown.mjs',
  verbose: true
}
