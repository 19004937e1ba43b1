import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import tseslint from 'typescript-eslint'
import svelteConfig from './svelte.config.js'

/**
 * The thin Electron shell: the only files allowed to import `electron`. Everything else under
 * electron/ is the core (TLS, trust, SIP, storage) and must run in plain Node.
 */
export const shellFiles = [
  'electron/main/index.ts',
  'electron/main/window.ts',
  'electron/main/security.ts',
  'electron/main/ipc/register.ts',
  'electron/main/shell/**/*.ts',
  'electron/preload/**/*.ts'
]

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'crypto',
  'net',
  'tls',
  'http',
  'https',
  'child_process',
  'url',
  'util',
  'stream',
  'events',
  'dns',
  'zlib'
]

const noRenderer = {
  regex: '^(\\.\\./)+renderer/',
  message: 'Main and preload never import renderer/.'
}

const noElectron = { name: 'electron', message: 'Only the Electron shell may import electron.' }

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.tools/**',
      // Bench output (gitignored): results and the bundled RSS child.
      'bench/results/**',
      'test-results/**',
      'playwright-report/**',
      'tests/lab/run/**',
      '**/*.cjs'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte']
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      // Focused tests silently skip the rest of the suite.
      'no-restricted-properties': [
        'error',
        { object: 'describe', property: 'only', message: 'No focused tests.' },
        { object: 'it', property: 'only', message: 'No focused tests.' },
        { object: 'test', property: 'only', message: 'No focused tests.' }
      ]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, svelteConfig }
    }
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node }
    }
  },
  // shared/: only shared/ and zod. No electron, Node, Svelte or DOM.
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron, { name: 'svelte', message: 'shared/ must not import svelte.' }],
          patterns: [
            { group: nodeBuiltins, message: 'shared/ must not import Node built-ins.' },
            {
              group: ['svelte/*', 'ws', 'jssip', '@peculiar/*'],
              message: 'shared/ imports only shared/ and zod.'
            },
            {
              regex: '^(\\.\\./)+(electron|renderer)/',
              message: 'shared/ must not import electron/ or renderer/.'
            }
          ]
        }
      ]
    }
  },
  // renderer/: shared/, itself and svelte. Never electron, Node or the main process.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: nodeBuiltins, message: 'The renderer has no Node: use window.api.' },
            {
              regex: '^(\\.\\./)+electron/',
              message: 'The renderer talks to main only through shared/ipc/contract.ts.'
            }
          ]
        }
      ]
    }
  },
  // Main and preload never import the renderer; raw webContents.send only in the typed emitter.
  {
    files: ['electron/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noRenderer] }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='send'][callee.object.property.name='webContents']",
          message:
            'Send events through the typed EventBus (electron/main/ipc/register.ts forwards them).'
        }
      ]
    }
  },
  // The core: everything under electron/ except the shell never imports electron.
  {
    files: ['electron/**/*.ts'],
    ignores: shellFiles,
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [noRenderer] }]
    }
  },
  // Only the ipc adapter registers ipcMain handlers.
  {
    files: ['electron/main/**/*.ts'],
    ignores: ['electron/main/ipc/register.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportSpecifier[imported.name='ipcMain']",
          message: 'Only electron/main/ipc/register.ts may use ipcMain.'
        },
        {
          selector:
            "CallExpression[callee.property.name='send'][callee.object.property.name='webContents']",
          message:
            'Send events through the typed EventBus (electron/main/ipc/register.ts forwards them).'
        }
      ]
    }
  },
  {
    files: ['tests/**/*.ts', '*.config.ts', 'scripts/**'],
    languageOptions: { globals: { ...globals.node } }
  }
)
