/**
 * The test image a first visit (a link with no hash) opens on: the first MNIST test image that the
 * studio's default attack (PGD, eps 0.1, 40 steps of 0.01, random start, seed 0) fools on the default
 * model mnist-cnn and that the zoo's robust model (mnist-cnn-robust) resists, so the first Run attack
 * shows an attack that works and the next move has a model to try. Chosen by computation:
 *
 *   node --import tsx src/cli/starter-image.ts
 *
 * (image 4, a 4 that mnist-cnn reads as 9 after the attack); src/cli/starter-image.test.ts re-checks it
 * against the zoo's files, so a retrained model or a changed default cannot leave it stale silently.
 * Convention: a starting value only, never a field default (links keep their meaning: a link that
 * leaves `i` out still means image 0).
 */
export const STARTER_SAMPLE = 4;
