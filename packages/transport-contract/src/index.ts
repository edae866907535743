export {
  type ContractRequestHandler,
  ContractServer,
  type ContractServerOptions,
  contractRoutes,
  type RecordedRequest,
  statusBody,
} from './contract-server.js';
export { describeTransportContract } from './describe-transport-contract.js';
export {
  type RawContractHandler,
  type RawContractRequest,
  RawContractServer,
  rawResponse,
} from './raw-contract-server.js';
export {
  type StreamingContractCheckName,
  streamingContractChecks,
  streamingDeclaration,
} from './streaming-contract-checks.js';
export {
  STREAM_ACCEPTED,
  type StreamedRequest,
  StreamingContractServer,
  type StreamingContractServerOptions,
} from './streaming-contract-server.js';
export {
  type ContractTransportFactory,
  resolveLongPollMs,
  type TransportContractCheck,
  type TransportContractCheckName,
  type TransportContractOptions,
  transportContractChecks,
} from './transport-contract-checks.js';
export {
  type ListeningContractServer,
  useContractServer,
} from './use-contract-server.js';
