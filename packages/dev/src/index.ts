export { type BootstrapScriptOptions, bootstrapScript } from './bootstrap-script.js';
export {
  type ArtifactFile,
  type BuildFunctionOptions,
  type BuildResult,
  buildFunction,
} from './build-function.js';
export { type BuildLayerOptions, buildLayer, type LayerResult } from './build-layer.js';
export { bundledHandler } from './bundled-handler.js';
export { type ColdStartMeasurement, type MeasureColdStartOptions, measureColdStart } from './cold-start.js';
export type { Command } from './command.js';
export { COMMANDS } from './commands/index.js';
export { DevToolError, type DevToolErrorCode } from './dev-tool-error.js';
export { type FunctionEntry, resolveFunctionEntry } from './function-entry.js';
export { FunctionWatcher, type FunctionWatcherOptions, type WatchBuildOutcome } from './function-watcher.js';
export {
  clientContextHeader,
  DEFAULT_EMULATOR_URL,
  type FunctionInvocation,
  type InvokeFunctionOptions,
  invokeFunction,
} from './invoke-function.js';
export { main } from './main.js';
export {
  defaultNodeCacheDir,
  inspectNodeBinary,
  MIN_NODE_MAJOR,
  type NodeBinary,
  type NodeBinaryInfo,
  type NodeBinaryOptions,
  nodeBinary,
} from './node-binary.js';
export {
  DEFAULT_NODE_MAJOR,
  type LambdaArchitecture,
  NODE_RELEASES,
  type NodeMajor,
  type NodeRelease,
  nodeRelease,
} from './node-releases.js';
export { writeReproducibleZip, type ZipEntry } from './reproducible-zip.js';
export {
  SAMPLE_EVENT_DESCRIPTIONS,
  SAMPLE_EVENT_KINDS,
  SAMPLE_EVENT_OPTIONS,
  type SampleEvent,
  type SampleEventKind,
  type SampleEventOptions,
  sampleEvent,
} from './sample-events.js';
export { ScaffoldError, type ScaffoldErrorCode } from './scaffold/scaffold-error.js';
export {
  type ScaffoldOptions,
  type ScaffoldResult,
  scaffoldProject,
} from './scaffold/scaffold-project.js';
