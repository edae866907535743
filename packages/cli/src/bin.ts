#!/usr/bin/env node
import { runHandler } from './run-handler.js';

const USAGE = `Usage: lambda-runtime [handler]

Runs the AWS Lambda runtime loop for the handler named by the argument or, without one, by _HANDLER
(form [dir/]module.export[.nested], relative to LAMBDA_TASK_ROOT or the current directory).
Run it with node directly, not through npx (npx starts npm first on every cold start, and needs npm):
  bootstrap (provided.al2023):  exec /opt/bin/node /var/task/node_modules/@lambda-runtime/cli/dist/bin.js
  container image:              ENTRYPOINT ["node", "/var/task/node_modules/@lambda-runtime/cli/dist/bin.js"]
`;

const argument = process.argv[2];
if (argument === '--help' || argument === '-h') {
  process.stdout.write(USAGE);
} else {
  // run() never resolves: the runtime ends the process itself (exit 1 after an init error).
  void runHandler(argument);
}
