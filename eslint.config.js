import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/api/**', 'node_modules/**', 'deepvis-out/**', 'bench/results/**', 'examples/**/dist/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // Only the backend adapters may import a backend package (DESIGN.md, principle 5).
    files: ['src/**/*.ts'],
    ignores: ['src/backends/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['@tensorflow/tfjs-backend-*', '@tensorflow/tfjs-node*'], message: 'Backend packages are imported only in src/backends/.' }],
      }],
    },
  },
);
