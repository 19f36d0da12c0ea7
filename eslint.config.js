// Lint rules keep the layout honest: commands may import lib, lib never imports
// commands, and the api package stays free of I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'oclif.manifest.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/commands/**'], message: 'src/lib never imports src/commands.' }] }],
    },
  },
  {
    files: ['src/lib/api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'node:https', '@kubernetes/client-node', 'execa'].map((name) => ({ name, message: 'src/lib/api is pure: no I/O.' })),
        patterns: [{ group: ['**/kube/**', '**/infra/**', '**/local/**', '**/flows/**', '**/commands/**'], message: 'src/lib/api is pure: it imports nothing with I/O.' }],
      }],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@kubernetes/client-node', message: 'Commands are thin: call a service in src/lib, which loads the Kubernetes client lazily.' },
          { name: 'execa', message: 'Commands are thin: processes are started in src/lib.' },
        ],
      }],
    },
  },
);
