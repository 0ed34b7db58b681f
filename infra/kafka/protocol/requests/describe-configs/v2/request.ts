/** DescribeConfigs Request (Version: 2): same fields as v1. */
export { decode } from '../v1/request.ts';
