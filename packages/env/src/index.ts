export {
  ProcessEnvironmentReader,
  type ProcessEnvironmentReaderOptions,
} from './process-environment-reader.js';
export { redactSecrets } from './process-lambda-environment.js';
export { REDACTED, SECRET_VARIABLE_NAMES, type SecretVariableName } from './secret-variable-names.js';
