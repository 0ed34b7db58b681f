/**
 * The suites `npm run test:long` runs instead of `npm test`: each drives the whole lab for a minute
 * or more (exploration and shrinking run a scenario many times; the tutorial runs every command of
 * docs/TUTORIAL.md; the signal suite interrupts real runs in every way a terminal can), which would
 * take `npm test` past its 15-minute budget. `.ci/run` runs both.
 */
export const LONG_SUITES = ['test/explore-*.test.ts', 'test/tutorial.test.ts', 'test/signals.test.ts'];
