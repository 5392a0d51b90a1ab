export { reachable } from './reachable';
export {
  SERVER_READY_TIMEOUT_MS,
  spawnServerProcess,
  type ServerProcess,
  type SpawnServerOptions,
} from './spawn-server';
export { openApiResponseValidator } from './openapi-validator';
