import type { Random } from '../random.ts';
import { defineToxic, eachChunk, int, REQUIRED } from './toxic.ts';

/**
 * slicer: cuts data into smaller writes of about `average_size` ± `size_variation` bytes, waiting
 * `delay` microseconds after each, to look like real-world TCP segmentation.
 */
export const slicer = defineToxic({
  type: 'slicer',
  goStruct: 'SlicerToxic',
  description: 'slice data into small writes, with a delay after each',
  attributes: {
    average_size: { ...int('bytes', 'average size of a slice'), ...REQUIRED },
    size_variation: int('bytes', 'variation of the slice size (smaller than average_size)'),
    delay: int('µs', 'wait after each slice'),
  },
  pipe: (stub, attributes) =>
    eachChunk(stub, async (chunk) => {
      const bounds = sliceBounds(
        0,
        chunk.data.length,
        attributes.average_size,
        attributes.size_variation,
        stub.random,
      );
      for (let i = 1; i < bounds.length; i += 2) {
        await stub.write({ data: chunk.data.subarray(bounds[i - 1], bounds[i]), timestamp: chunk.timestamp });
        if (!(await stub.sleep(attributes.delay / 1000))) {
          const rest = chunk.data.subarray(bounds[i]);
          if (rest.length > 0) await stub.write({ data: rest, timestamp: chunk.timestamp });
          return false;
        }
      }
      return true;
    }),
});

/**
 * Start/end offset pairs: halves recursively (the cut moved by up to ± variation) until a piece
 * is within `variation` of `average`, so slices vary evenly with no small piece at either end.
 */
function sliceBounds(
  start: number,
  end: number,
  average: number,
  variation: number,
  random: Random,
): number[] {
  if (end - start <= 1 || end - start - average <= variation) return [start, end];
  let middle = start + Math.floor((end - start) / 2);
  if (variation > 0) middle += random.int(variation * 2) - variation;
  // Toxiproxy trusts size_variation < average_size; keep both pieces non-empty whatever it is.
  middle = Math.min(end - 1, Math.max(start + 1, middle));
  return [
    ...sliceBounds(start, middle, average, variation, random),
    ...sliceBounds(middle, end, average, variation, random),
  ];
}
