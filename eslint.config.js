// Lint rules that the build cannot express: promise safety, exhaustive switches,
// and the layering of the workspace (protocol → connections → server → backplanes; client apart).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Forbid imports that would break the package layering described in the README. */
function layer(files, forbidden, why) {
  return {
    files,
    // Tests may reach across layers (a protocol test may open a socket); shipped code may not.
    ignores: ['**/*.test.ts', '**/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbidden.map((group) => ({ group: [group, `${group}/*`], message: why })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'eqeqeq': ['error', 'always', { null: 'ignore' }],
      'no-shadow': 'off',
      '@typescript-eslint/no-shadow': 'error',
    },
  },
  {
    // Tests may use loose typing on decoded values and rely on node:test's promise-returning APIs.
    files: ['**/*.test.ts', '**/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [
        { from: 'package', name: ['test', 'it', 'describe', 'suite'], package: 'node:test' },
      ] }],
    },
  },
  layer(['packages/protocol/src/**'], ['@switchyard/*', 'node:*', 'ws'],
    'protocol is pure: it imports no other Switchyard package and no Node I/O'),
  layer(['packages/protocol-msgpack/src/**'], ['@switchyard/connections', '@switchyard/server', '@switchyard/client', '@switchyard/metrics', 'prom-client', 'node:*'],
    'protocol-msgpack is pure: it may import only @switchyard/protocol'),
  layer(['packages/connections/src/**'], ['@switchyard/server', '@switchyard/client', '@switchyard/redis', '@switchyard/nats', '@switchyard/metrics', 'ioredis', 'redis', 'nats', 'prom-client'],
    'connections moves bytes: it knows no hubs and no brokers'),
  layer(['packages/server/src/**'], ['@switchyard/client', '@switchyard/redis', '@switchyard/nats', '@switchyard/metrics', 'ioredis', 'redis', 'nats', 'prom-client'],
    'server names no broker and no metrics library: backplanes plug in through Backplane, metrics through SwitchyardInstrumentation'),
  layer(['packages/redis/src/**', 'packages/nats/src/**'], ['@switchyard/metrics', 'prom-client'],
    'a backplane moves bytes: metrics plug in through SwitchyardInstrumentation'),
  layer(['packages/metrics/src/**'], ['@switchyard/client', '@switchyard/redis', '@switchyard/nats', '@switchyard/conformance', '@switchyard/demo', 'ioredis', 'redis', 'nats'],
    'metrics implements the server\'s instrumentation seam: it names no broker, client or application'),
  layer(['packages/client/src/**'], ['@switchyard/server', '@switchyard/connections', '@switchyard/redis', '@switchyard/nats', '@switchyard/metrics', 'prom-client', 'node:*'],
    'client never imports server code'),
);
