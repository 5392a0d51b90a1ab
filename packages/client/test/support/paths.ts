import { fileURLToPath } from 'node:url';

/** packages/client */
export const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** apps/server, run as a separate process: the client never imports it. */
export const SERVER_DIR = fileURLToPath(new URL('../../../../apps/server', import.meta.url));
export const TSX = fileURLToPath(new URL('../../../../apps/server/node_modules/.bin/tsx', import.meta.url));
