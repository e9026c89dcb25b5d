/* Spec-sheet arithmetic: figures derived from a profile's own figures, for
 * `compare chips` and anything else that quotes them. */
#include "model/profile.h"

double profile_sparse_peak(const struct nb_profile *p, enum nb_dtype dt)
{
	return profile_peak(p, dt) * profile_sparse_factor(p);
}

double profile_ridge_point(const struct nb_profile *p, enum nb_dtype dt)
{
	double peak = profile_peak(p, dt), bw = profile_bw_bytes_per_s(p);

	return peak > 0 && bw > 0 ? peak / bw : 0;
}

double profile_tflops_per_watt(const struct nb_profile *p, enum nb_dtype dt)
{
	double peak = profile_peak(p, dt), w = profile_tdp_w(p);

	return peak > 0 && w > 0 ? peak / 1e12 / w : 0;
}
