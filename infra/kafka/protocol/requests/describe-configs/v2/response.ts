/** DescribeConfigs Response (Version: 2): same fields as v1 (v2 only changed throttling). */
export { encode } from '../v1/response.ts';
