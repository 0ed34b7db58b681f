/** The Toxiproxy `limit_data` toxic on a link, for `for` (or until the heal phase). */
import { applyToxic } from './toxic.ts';
import type { FaultModule } from './types.ts';

export const limitData: FaultModule<'limit_data'> = applyToxic;
