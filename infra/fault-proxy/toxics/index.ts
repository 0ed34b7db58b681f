import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit_data.ts';
import { noop } from './noop.ts';
import { resetPeer } from './reset_peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow_close.ts';
import { timeout } from './timeout.ts';
import type { ToxicKind } from './toxic.ts';

/** The toxics that inject a fault, by type name (the lab's fault commands are built from these). */
export const TOXICS: ReadonlyMap<string, ToxicKind> = new Map(
  [latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData].map((kind) => [kind.type, kind]),
);

/**
 * Every toxic the API accepts: the same set and attributes as Toxiproxy 2.x. noop injects
 * nothing, so it is no fault to offer, but Toxiproxy registers it and clients may create it.
 */
export const API_TOXICS: ReadonlyMap<string, ToxicKind> = new Map([[noop.type, noop], ...TOXICS]);

export type { AttributeSpec, ToxicKind } from './toxic.ts';
