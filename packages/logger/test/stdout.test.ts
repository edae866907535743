import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const builtEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const builtDeferredEntry = fileURLToPath(new URL('../dist/deferred.js', import.meta.url));
const LINES = 2_000;

// The child imports the built package: a real `node` (20) cannot run the TypeScript sources.
function childScript(format: string, exit: string, deferred = false): string {
  const create = deferred
    ? `const { DeferredLogger } = await import(${JSON.stringify(builtDeferredEntry)});
    const logger = new DeferredLogger({ format: ${JSON.stringify(format)} });`
    : `const { createLogger } = await import(${JSON.stringify(builtEntry)});
    const logger = createLogger({ format: ${JSON.stringify(format)} });`;
  return `
    ${create}
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < ${LINES}; i++) logger.info({ i }, filler);
    logger.info('last line');
    ${exit};
  `;
}

function runChild(script: string): Promise<{ exit: string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit in time; stderr: ${stderr}`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exit: signal ?? String(code), stdout, stderr });
    });
  });
}

// SIGKILL runs no exit hooks, so only lines already written when logger.info returned survive it.
// DeferredLogger is run without settle(): before pino is loaded, lines must not wait in memory either.
describe.each([
  ['createLogger', builtEntry, false],
  ['DeferredLogger', builtDeferredEntry, true],
])('%s default destination', (_name, entry, deferred) => {
  it.each([
    ['JSON', 'process.exit(0)', '0'],
    ['Text', 'process.exit(0)', '0'],
    ['JSON', "process.kill(process.pid, 'SIGKILL')", 'SIGKILL'],
    ['Text', "process.kill(process.pid, 'SIGKILL')", 'SIGKILL'],
  ])(
    'writes every line to stdout before exit when the %s process calls %s right after logging',
    async (format, exitCall, expectedExit) => {
      expect(existsSync(entry), 'build the package first (npx tsc -b packages/logger)').toBe(true);

      const { exit, stdout, stderr } = await runChild(childScript(format, exitCall, deferred));

      expect(stderr).toBe('');
      expect(exit).toBe(expectedExit);
      const lines = stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(LINES + 1);
      expect(lines.at(-1)).toMatch(format === 'JSON' ? /"message":"last line"}$/ : /\tINFO\tlast line$/);
    },
  );
});
