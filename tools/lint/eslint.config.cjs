// The project's lint: typescript-eslint's recommended rules, and the layer rule (an import goes
// down, never up: server → schema → plugins → core → entities; a plugin never imports another).
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const src = (dir) => `./src/${dir}`;
const vendors = ['alation', 'atlan', 'talend', 'example'];

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', 'test/generated/**', 'console/**', 'tools/**', 'bin/**', '**/*.js', '**/*.cjs', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { tsconfigRootDir: root } },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: root,
          zones: [
            { target: src('entities'), from: [src('core'), src('plugins'), src('schema'), src('server')], message: 'entities are the bottom layer.' },
            { target: src('core'), from: [src('plugins'), src('schema'), src('server')], message: 'core knows no vendor and no face: imports go down.' },
            { target: src('plugins'), from: [src('schema'), src('server')], message: 'plugins do not import the faces: imports go down.' },
            { target: src('schema'), from: [src('server')], message: 'the schema does not import the server: imports go down.' },
            ...vendors.map((vendor) => ({
              target: src(`plugins/${vendor}`),
              from: src('plugins'),
              except: [`./${vendor}`, './provider.ts', './route-kit.ts', './acts.ts'],
              message: 'a plugin never imports another plugin (nor the registry).',
            })),
          ],
        },
      ],
    },
  },
  {
    // Plugins read and write through core: no TypeORM managers or repositories of their own.
    files: ['src/plugins/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'typeorm', message: 'Plugins write through core (core.change and its repositories), not TypeORM.' }] }],
    },
  },
);
