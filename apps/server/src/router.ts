import { contract, type Contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { pingRouter } from './ping/ping.router';
import { RESOURCE_LIST } from './resources/registry';
import type { ResourceRouterDeps } from './resources/resource-handlers';

const s = initServer();

/**
 * Every contract route's handler, composed in the contract's shape: ping, then each resource of
 * the registry. Each resource's router is checked against its own part of the contract where it
 * is built; the registry has an entry for every resource name.
 */
export function createRouter(deps: ResourceRouterDeps) {
  const resources = Object.fromEntries(RESOURCE_LIST.map((resource) => [resource.key, resource.router(deps)]));
  return s.router(contract, { ping: pingRouter(deps), ...resources } as Parameters<typeof s.router<Contract>>[1]);
}
