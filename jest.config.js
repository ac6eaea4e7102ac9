/** Unit tests synthesize in memory; integration tests (`__tests__/integration/`) deploy for real. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/setup.ts'],
  globalSetup: '<rootDir>/__tests__/helpers/scratch-setup.js',
  globalTeardown: '<rootDir>/__tests__/helpers/scratch-teardown.js',
};
