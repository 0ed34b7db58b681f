/** JoinGroup Request (Version: 4): same fields as v1 (v4: the broker may answer MEMBER_ID_REQUIRED). */
export { decode } from '../v1/request.ts';
