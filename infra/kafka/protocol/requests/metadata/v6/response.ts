/** v6 has the same response shape as v5. */
export { encode } from '../v5/response.ts';
