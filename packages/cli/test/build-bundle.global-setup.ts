// Run once before the tests (root vitest.config.ts): tests spawn the lambda-runtime command, which
// runs dist/runtime.bundle.cjs, so the bundle must hold what `tsc -b` just built.
// @ts-expect-error: a plain .mjs build script, without types.
import { buildBundle } from '../scripts/build-bundle.mjs';

export default async function setup(): Promise<void> {
  await buildBundle();
}
