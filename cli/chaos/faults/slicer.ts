/** The Toxiproxy `slicer` toxic on a link, for `for` (or until the heal phase). */
import { applyToxic } from './toxic.ts';
import type { FaultModule } from './types.ts';

export const slicer: FaultModule<'slicer'> = applyToxic;
