/** CreatePartitions Response (Version: 1): same fields as v0. */
export { encode } from '../v0/response.ts';
