/* fp16 and bf16 conversions in portable C (round to nearest even).  The
 * AVX2 kernels use F16C for fp16; these are the reference. */
#ifndef NB_HALF_H
#define NB_HALF_H

#include <stdint.h>
#include <string.h>

static inline float nb_bf16_to_f32(uint16_t h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;

	memcpy(&f, &u, 4);
	return f;
}

static inline uint16_t nb_f32_to_bf16(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	if ((u & 0x7fffffffu) > 0x7f800000u)	/* NaN stays NaN */
		return (uint16_t)((u >> 16) | 0x40);
	u += 0x7fffu + ((u >> 16) & 1);
	return (uint16_t)(u >> 16);
}

static inline float nb_fp16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, u;
	float f;

	if (exp == 0) {
		if (man == 0) {
			u = sign;
		} else {	/* subnormal: normalize */
			int e = -1;

			do {
				man <<= 1;
				e++;
			} while (!(man & 0x400));
			u = sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
		}
	} else if (exp == 31) {
		u = sign | 0x7f800000u | (man << 13);
	} else {
		u = sign | ((exp + 127 - 15) << 23) | (man << 13);
	}
	memcpy(&f, &u, 4);
	return f;
}

static inline uint16_t nb_f32_to_fp16(float f)
{
	uint32_t u, sign, man;
	int exp;

	memcpy(&u, &f, 4);
	sign = (u >> 16) & 0x8000;
	exp = (int)((u >> 23) & 0xff) - 127 + 15;
	man = u & 0x7fffff;
	if (((u >> 23) & 0xff) == 0xff)	/* inf or NaN */
		return (uint16_t)(sign | 0x7c00 | (man ? 0x200 : 0));
	if (exp >= 31)
		return (uint16_t)(sign | 0x7c00);
	if (exp <= 0) {
		if (exp < -10)
			return (uint16_t)sign;
		man |= 0x800000;
		int shift = 14 - exp;
		uint32_t half = 1u << (shift - 1);
		uint32_t rest = man & ((1u << shift) - 1);
		uint32_t r = man >> shift;

		if (rest > half || (rest == half && (r & 1)))
			r++;
		return (uint16_t)(sign | r);
	}
	uint32_t r = ((uint32_t)exp << 10) | (man >> 13);
	uint32_t rest = man & 0x1fff;

	if (rest > 0x1000 || (rest == 0x1000 && (r & 1)))
		r++;	/* may carry into the exponent, rounding to inf correctly */
	return (uint16_t)(sign | r);
}

#endif
