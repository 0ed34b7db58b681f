/** Same shape as v3. */
export { decode } from '../v3/request.ts';
