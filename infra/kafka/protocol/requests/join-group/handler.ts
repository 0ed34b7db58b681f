/** JoinGroup: held by the coordinator until the rebalance completes (see groups/coordinator.ts). */
import { clientHostOf, coordinatorOf } from '../../../groups/index.ts';
import type { GroupProtocol, JoinGroupResult } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Reader } from '../../reader.ts';

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: GroupProtocol[];
}

export function handleJoinGroup(request: JoinGroupRequest, ctx: RequestContext): Promise<JoinGroupResult> {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) {
    return Promise.resolve({
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leaderId: '',
      memberId: request.memberId,
      members: [],
    });
  }
  return coordinator.joinGroup({
    ...request,
    clientId: ctx.header.clientId ?? '',
    clientHost: clientHostOf(ctx),
    requireKnownMemberId: ctx.header.apiVersion >= 4,
  });
}

/** protocols => name metadata, the same in every non-flexible version */
export function readProtocols(reader: Reader): GroupProtocol[] {
  return reader.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) }));
}
