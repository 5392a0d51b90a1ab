import { contract } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import { pingRouter } from './ping/ping.router';

const s = initServer();

/** Every contract route's handler, composed in the contract's shape. */
export const router = s.router(contract, {
  ping: pingRouter,
});
