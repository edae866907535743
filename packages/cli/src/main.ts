import { runHandler } from './run-handler.js';

/** The command's usage, printed by `lambda-runtime --help`. */
export const USAGE = `Usage: lambda-runtime [handler]
       lambda-runtime --prepare-cache

Runs the AWS Lambda runtime loop for the handler named by the argument or, without one, by _HANDLER
(form [dir/]module.export[.nested], relative to LAMBDA_TASK_ROOT or the current directory).
Run it with node directly, not through npx (npx starts npm first on every cold start, and needs npm):
  bootstrap (provided.al2023):  exec /opt/bin/node /var/task/node_modules/@lambda-runtime/cli/dist/bin.cjs
  container image:              ENTRYPOINT ["node", "/var/task/node_modules/@lambda-runtime/cli/dist/bin.cjs"]

--prepare-cache writes the V8 code cache of the runtime for the node binary that runs it, next to
the command (run it with the Node.js the function runs on, before zipping or in the Dockerfile).
`;

/**
 * The command after its loader: prints the usage for `--help`, else runs the handler.
 *
 * @param argument - the command's first argument (`process.argv[2]`).
 * @param importModule - imports an ES module handler by URL; the bundled runtime passes one from a
 *   real module, since code compiled by `vm.Script` has no `import()` of its own.
 */
export function main(argument: string | undefined, importModule?: (url: string) => Promise<unknown>): void {
  if (argument === '--help' || argument === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  // run() never resolves: the runtime ends the process itself (exit 1 after an init error).
  void runHandler(argument, importModule === undefined ? {} : { importModule });
}
