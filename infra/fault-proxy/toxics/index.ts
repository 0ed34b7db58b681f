import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit_data.ts';
import { noop } from './noop.ts';
import { resetPeer } from './reset_peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow_close.ts';
import { timeout } from './timeout.ts';
import type { ToxicKind } from './toxic.ts';

/** Every toxic the fault proxy offers, by type name: the same set and attributes as Toxiproxy 2.x. */
export const TOXICS: ReadonlyMap<string, ToxicKind> = new Map(
  [noop, latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData].map((kind) => [
    kind.type,
    kind,
  ]),
);

export type { AttributeSpec, ToxicKind } from './toxic.ts';
