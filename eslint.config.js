import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * The folders of src/ and the folders each may import, as in the README's Layout table. A zone forbids
 * every file under src/ but the folder's own and those listed; paths are checked after resolution, so
 * '../model/x', '../../model/x' and '../music/../model/x' are the same file to the rule.
 */
const MAY_IMPORT = {
  music: [],
  data: ['music'],
  protocol: ['music'],
  model: ['music', 'protocol'],
  worker: ['music', 'protocol', 'model'],
  audio: ['music'],
  ui: ['music', 'protocol', 'audio', 'worker/client.ts'],
  app: ['music', 'protocol', 'audio', 'worker/client.ts', 'worker/modelFetch.ts', 'data', 'ui'],
};

const layerZones = Object.entries(MAY_IMPORT).map(([layer, allowed]) => ({
  target: `./src/${layer}`,
  from: './src',
  except: [layer, ...allowed].map((folder) => `./${folder}`),
  message: allowed.length
    ? `src/${layer} may import only ${allowed.map((folder) => `src/${folder}`).join(', ')} of Cantus (README, Layout).`
    : `src/${layer} imports nothing else of Cantus (README, Layout).`,
}));

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'public', 'models', 'test-results', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Import direction between Cantus's own folders. The zones need every import resolved (an import that
    // does not resolve is skipped by no-restricted-paths), so no-unresolved makes such an import an error.
    files: ['**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] })],
    },
    rules: {
      'import-x/no-unresolved': ['error', { ignore: ['^virtual:', '\\?url$'] }],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            ...layerZones,
            { target: './src', from: ['./scripts', './tests'], message: 'src/ never imports the scripts or the tests.' },
          ],
        },
      ],
    },
  },
  {
    // Packages: music and protocol are pure (no tf, no DOM libraries); the page never imports TensorFlow.js.
    files: ['src/music/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@tensorflow/*', 'tone', 'react'] }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/audio/**/*.ts', 'src/app/**/*.{ts,tsx}', 'src/data/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@tensorflow/*'] }],
    },
  },
);
