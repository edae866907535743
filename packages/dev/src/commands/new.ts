import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { ScaffoldError } from '../scaffold/scaffold-error.js';
import { scaffoldProject } from '../scaffold/scaffold-project.js';

const USAGE = `Usage: lambda-dev new <name> [--dir <path>]

Creates a TypeScript Lambda function project: a typed handler run by @lambda-runtime/core, its
vitest test, a strict tsconfig.json, a SAM template.yaml that deploys the build output, and the
scripts build (lambda-dev build), layer (lambda-dev layer), test and typecheck.

Arguments:
  <name>        the npm package name, e.g. orders or @acme/orders

Options:
  --dir <path>  the folder to create (default: the name without its scope); it must not exist or
                be empty
  -h, --help    show this help
`;

/**
 * `lambda-dev new <name>`: scaffolds a function project (see {@link scaffoldProject}). Exit 0 when
 * written, 2 for bad usage, an invalid package name or a folder that is not empty.
 *
 * @example
 * ```sh
 * npx @lambda-runtime/dev new orders && cd orders && npm install && npm test && npm run build
 * ```
 */
export const newCommand: Command = {
  name: 'new',
  summary: 'Create a TypeScript function project (handler, test, tsconfig, SAM template)',
  async run(argv) {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      process.stderr.write(`lambda-dev new: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    if (parsed.values.help === true) {
      process.stdout.write(USAGE);
      return 0;
    }
    const [name, ...extra] = parsed.positionals;
    if (name === undefined || extra.length > 0) {
      const problem = name === undefined ? 'a name is required' : `unexpected argument '${extra[0]}'`;
      process.stderr.write(`lambda-dev new: ${problem}\n\n${USAGE}`);
      return 2;
    }
    try {
      const { directory, files } = await scaffoldProject({
        name,
        ...(parsed.values.dir === undefined ? {} : { directory: parsed.values.dir }),
      });
      const where = relative(process.cwd(), directory) || '.';
      process.stdout.write(
        `Created ${name} in ${where}:\n${files.map((file) => `  ${file}`).join('\n')}\n\n` +
          `Next:\n  cd ${where}\n  npm install\n  npm test\n  npm run build && npm run layer\n  sam deploy --guided\n`,
      );
      return 0;
    } catch (error) {
      if (error instanceof ScaffoldError) {
        process.stderr.write(`lambda-dev new: ${error.message}\n`);
        return 2;
      }
      process.stderr.write(`lambda-dev new: ${(error as Error).message}\n`);
      return 1;
    }
  },
};

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
}
