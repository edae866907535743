import { mergeConfig } from 'vitest/config';
import { workspaceProject } from '../../vitest.shared.js';

// The fixtures (checked in, or written to temp task roots by the tests) are user code: Node must
// load them natively (its own ESM/CommonJS rules and its own SyntaxError), not through Vite's
// transform, or the tests would check Vite instead of the loader.
export default mergeConfig(workspaceProject('@lambda-runtime/handler-loader'), {
  test: { server: { deps: { external: [/\/test\/fixtures\//, /\/handler-loader-task-root-/] } } },
});
