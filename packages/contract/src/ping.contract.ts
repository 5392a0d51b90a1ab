import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { PingResponseSchema } from './ping.schemas';

const c = initContract();

export const pingContract = c.router({
  ping: {
    method: 'GET',
    path: '/ping',
    query: z.object({}).strict(),
    responses: { 200: PingResponseSchema },
    summary: 'Test the connection and the API key',
    description:
      'Returns the tenant and scopes the key maps to, and how long the tenant\'s data is kept. Needs any valid key and no particular scope: use it to validate setup before wiring a connector.',
    metadata: { scope: null },
  },
});
