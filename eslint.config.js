import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const CHILD_PROCESS = 'start programs with runProgram (src/container/program.ts) or startChild (src/container/child-process.ts): they give each child the allow-listed environment, never the token'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }] }
  },
  // Every child process starts in src/container/child-process.ts, with the allow-listed environment: none inherits the token.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/container/child-process.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node:child_process', 'child_process', '@actions/exec'].map(name => ({ name, message: CHILD_PROCESS })) }],
      'no-restricted-properties': ['error', ...['extractTar', 'extractZip', 'extract7z', 'extractXar'].map(property => ({ object: 'tc', property, message: CHILD_PROCESS }))],
      'no-restricted-syntax': ['error', { selector: "SpreadElement > MemberExpression[object.name='process'][property.name='env']", message: 'a child gets the allow-listed environment (src/container/child-env.ts), never the whole of process.env' }]
    }
  }
)
