/** v9's response has the same shape as v7's (current_leader_epoch is in the request). */
export { encode } from '../v7/response.ts';
