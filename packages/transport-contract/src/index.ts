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
  type ContractTransportFactory,
  resolveLongPollMs,
  type TransportContractCheck,
  type TransportContractCheckName,
  type TransportContractOptions,
  transportContractChecks,
} from './transport-contract-checks.js';
