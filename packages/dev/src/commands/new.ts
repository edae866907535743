import { relative } from 'node:path';
import { defineCommand } from '../command.js';
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
export const newCommand = defineCommand({
  name: 'new',
  summary: 'Create a TypeScript function project (handler, test, tsconfig, SAM template)',
  usage: USAGE,
  options: { dir: { type: 'string' } },
  checkPositionals: ([name, ...extra]) => {
    if (name === undefined) return 'a name is required';
    return extra.length > 0 ? `unexpected argument '${extra[0]}'` : undefined;
  },
  async run({ values, positionals }) {
    const name = positionals[0] as string;
    const { directory, files } = await scaffoldProject({
      name,
      ...(values.dir === undefined ? {} : { directory: values.dir }),
    });
    const where = relative(process.cwd(), directory) || '.';
    process.stdout.write(
      `Created ${name} in ${where}:\n${files.map((file) => `  ${file}`).join('\n')}\n\n` +
        `Next:\n  cd ${where}\n  npm install\n  npm test\n  npx lambda-dev watch --http 3000   (then: curl 'http://127.0.0.1:3000/?name=you')\n` +
        '  npm run build && npm run layer\n  sam deploy --guided\n',
    );
    return 0;
  },
});
