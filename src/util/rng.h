/* The seeded input generator.  Distribution, documented because it is
 * stored beside every result: xoshiro256** seeded by splitmix64 from the
 * run's seed and a per-buffer stream number; floating inputs are uniform on
 * [-1, 1) (non-degenerate: not zeros, which draw less power and inflate
 * throughput on real hardware), integers uniform over the dtype's range. */
#ifndef NB_RNG_H
#define NB_RNG_H

#include <stdint.h>

#define NB_RNG_DISTRIBUTION "xoshiro256** (splitmix64 seed); floats uniform [-1,1), ints uniform full range"

struct nb_rng {
	uint64_t s[4];
};

void rng_seed(struct nb_rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct nb_rng *r);
/* Uniform on [-1, 1). */
float rng_float(struct nb_rng *r);
/* Uniform on [lo, hi]. */
int64_t rng_range(struct nb_rng *r, int64_t lo, int64_t hi);

#endif
