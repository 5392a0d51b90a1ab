export { reachable } from './reachable';
export {
  SERVER_READY_TIMEOUT_MS,
  spawnServerProcess,
  type ServerProcess,
  type SpawnServerOptions,
} from './spawn-server';
export { openApiResponseValidator } from './openapi-validator';
export {
  runProcess,
  startProcess,
  RUN_PROCESS_TIMEOUT_MS,
  type ProcessOptions,
  type ProcessResult,
  type RunProcessOptions,
  type StartedProcess,
} from './run-process';
