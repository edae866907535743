import { workspaceProject } from '../vitest.shared.js';

export default workspaceProject('@lambda-runtime/bench');
