/** Fault kind → module. */
import type { FaultKind } from '../schema.ts';
import { bandwidth } from './bandwidth.ts';
import { brokerRestart } from './broker_restart.ts';
import { down } from './down.ts';
import { duplicate } from './duplicate.ts';
import { kill } from './kill.ts';
import { latency } from './latency.ts';
import { limitData } from './limit_data.ts';
import { partition } from './partition.ts';
import { pause } from './pause.ts';
import { poison } from './poison.ts';
import { redeliver } from './redeliver.ts';
import { relayCrash } from './relay_crash.ts';
import { resetPeer } from './reset_peer.ts';
import { restart } from './restart.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow_close.ts';
import { timeout } from './timeout.ts';
import type { FaultModule } from './types.ts';

export const FAULT_MODULES: { [K in FaultKind]: FaultModule<K> } = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
  down,
  kill,
  pause,
  restart,
  duplicate,
  redeliver,
  relay_crash: relayCrash,
  poison,
  broker_restart: brokerRestart,
  partition,
};
