/* Unit tests of the collective model against values worked by hand from
 * round-number interconnects, and physical bounds over every shipped
 * profile. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check_suites.h"
#include "model/collective.h"
#include "model/profile.h"
#include "util/util.h"

#define REL(a, b) (fabs((a) - (b)) / fabs(b))

/* 8 chips on a switch, 12 links of 25 GB/s per direction kept at 80%:
 * 240 GB/s per chip; 1 us per step, 2 us launch; one 25 GB/s NIC per chip
 * at 90%, 2 us per step across. */
static struct nb_interconnect switch8(void)
{
	struct nb_interconnect ic = {
		.kind = "switch", .chips = 8, .links_per_chip = 12, .link_bytes_per_s = 25e9,
		.latency_s = 1e-6, .efficiency = 0.8, .out_name = "net", .nics_per_chip = 1,
		.nic_bytes_per_s = 25e9, .out_latency_s = 2e-6, .out_efficiency = 0.9,
		.launch_s = 2e-6,
	};
	return ic;
}

START_TEST(busbw_factors_follow_nccl_tests)
{
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_ALLREDUCE, 8), 1.75, 1e-12);
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_ALLGATHER, 4), 0.75, 1e-12);
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_REDUCESCATTER, 2), 0.5, 1e-12);
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_ALLTOALL, 8), 0.875, 1e-12);
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_BROADCAST, 8), 1, 1e-12);
	ck_assert_double_eq_tol(coll_busbw_factor(NB_COLL_SENDRECV, 8), 1, 1e-12);
}
END_TEST

/* Ring all-reduce of 1 GB on 8 ranks: 2*7/8 GB at 240 GB/s = 7.2917 ms,
 * 14 steps of 1 us, 2 us launch.  8 bytes: the tree's 6 steps beat the
 * ring's 14, so auto picks it. */
START_TEST(ring_and_tree_on_a_switch)
{
	struct nb_interconnect ic = switch8();
	struct nb_coll_pred pr;
	double t = 2e-6 + 14e-6 + 1.75e9 / 240e9;

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_AUTO, &pr);
	ck_assert(pr.ok);
	ck_assert_int_eq(pr.algo, NB_ALGO_RING);
	ck_assert_int_eq(pr.steps, 14);
	ck_assert_int_eq(pr.domains, 1);
	ck_assert_double_eq_tol(pr.seconds, t, 1e-12);
	ck_assert_double_eq_tol(pr.alpha_s, 14e-6, 1e-15);
	ck_assert_double_eq_tol(pr.algbw, 1e9 / t, 1);
	ck_assert_double_eq_tol(pr.busbw, 1.75e9 / t, 1);
	ck_assert_double_eq_tol(pr.busbw, 239.47e9, 0.01e9);

	coll_predict(&ic, NB_COLL_ALLREDUCE, 8, 8, NB_ALGO_AUTO, &pr);
	ck_assert_int_eq(pr.algo, NB_ALGO_TREE);
	ck_assert_int_eq(pr.steps, 6);
	ck_assert_double_eq_tol(pr.seconds, 2e-6 + 6e-6 + 16 / 240e9, 1e-15);

	/* All-gather of 1 GB (the gathered buffer): 7/8 of it out of each chip. */
	coll_predict(&ic, NB_COLL_ALLGATHER, 1e9, 8, NB_ALGO_RING, &pr);
	ck_assert_double_eq_tol(pr.seconds, 2e-6 + 7e-6 + 0.875e9 / 240e9, 1e-12);
	ck_assert_double_eq_tol(pr.busbw, 0.875 * 1e9 / pr.seconds, 1);
}
END_TEST

/* In-switch reduction: 1 GB sent and received once at 12 x 25 x 0.6 =
 * 180 GB/s, 2 steps: 5.5596 ms, busbw 314.8 GB/s, above the ring's 240. */
START_TEST(nvls_sends_once)
{
	struct nb_interconnect ic = switch8();
	struct nb_coll_pred pr;

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_NVLS, &pr);
	ck_assert(!pr.ok);
	ck_assert_msg(strstr(pr.reason, "no in-network reduction"), "%s", pr.reason);
	ic.reduction = "test NVLS";
	ic.reduction_efficiency = 0.6;
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_AUTO, &pr);
	ck_assert(pr.ok);
	ck_assert_int_eq(pr.algo, NB_ALGO_NVLS);
	ck_assert_double_eq_tol(pr.seconds, 4e-6 + 1e9 / 180e9, 1e-12);
	ck_assert_double_eq_tol(pr.busbw, 314.77e9, 0.01e9);
	/* NVLS serves all-reduce only. */
	coll_predict(&ic, NB_COLL_ALLGATHER, 1e9, 8, NB_ALGO_NVLS, &pr);
	ck_assert(!pr.ok);
}
END_TEST

/* A full mesh of 8 with 7 links of 28 GB/s at 50%: 14 GB/s per peer; all
 * 7 peers at once on 8 ranks (98 GB/s), 3 on 4 ranks; the mesh algorithm
 * in 2 steps, the ring in 2(R-1). */
START_TEST(full_mesh_uses_every_peer)
{
	struct nb_interconnect ic = {
		.kind = "full_mesh", .chips = 8, .links_per_chip = 7, .link_bytes_per_s = 28e9,
		.latency_s = 1e-6, .efficiency = 0.5,
	};
	struct nb_coll_pred pr;

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_MESH, &pr);
	ck_assert(pr.ok);
	ck_assert_int_eq(pr.steps, 2);
	ck_assert_double_eq_tol(pr.seconds, 2e-6 + 1.75e9 / 98e9, 1e-12);
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 4, NB_ALGO_RING, &pr);
	ck_assert_int_eq(pr.steps, 6);
	ck_assert_double_eq_tol(pr.seconds, 6e-6 + 1.5e9 / 42e9, 1e-12);
	/* send/recv: one peer's links only */
	coll_predict(&ic, NB_COLL_SENDRECV, 1e9, 2, NB_ALGO_AUTO, &pr);
	ck_assert_int_eq(pr.algo, NB_ALGO_DIRECT);
	ck_assert_double_eq_tol(pr.seconds, 1e-6 + 1e9 / 14e9, 1e-12);
	/* the mesh algorithm is for a full mesh */
	ic.kind = "switch";
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_MESH, &pr);
	ck_assert(!pr.ok);
}
END_TEST

/* A 16x16 torus, 4 links of 50 GB/s: the whole pod wraps both ways (200
 * GB/s per chip, 2*(15+15) steps); 8 chips are a 2x4 slice without
 * wrap-around (50 + 50 GB/s, 2*(1+3) steps). */
START_TEST(torus_slices)
{
	struct nb_interconnect ic = {
		.kind = "torus2d", .shape = "16x16", .chips = 256, .links_per_chip = 4,
		.link_bytes_per_s = 50e9, .latency_s = 1e-6, .efficiency = 1,
	};
	struct nb_coll_pred pr;

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 256, NB_ALGO_TORUS, &pr);
	ck_assert(pr.ok);
	ck_assert_int_eq(pr.steps, 60);
	ck_assert_double_eq_tol(pr.bw_inner, 200e9, 1);
	ck_assert_double_eq_tol(pr.seconds, 60e-6 + 2 * 255.0 / 256 * 1e9 / 200e9, 1e-12);
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_TORUS, &pr);
	ck_assert_int_eq(pr.steps, 8);
	ck_assert_double_eq_tol(pr.bw_inner, 100e9, 1);
	/* auto prefers the torus algorithm for large messages */
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 256, NB_ALGO_AUTO, &pr);
	ck_assert_int_eq(pr.algo, NB_ALGO_TORUS);
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 8, NB_ALGO_NVLS, &pr);
	ck_assert(!pr.ok);
	/* 257 ranks leave the pod, and this chip has no scale-out */
	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 257, NB_ALGO_AUTO, &pr);
	ck_assert(!pr.ok);
	ck_assert_msg(strstr(pr.reason, "interconnect.scale_out"), "%s", pr.reason);
}
END_TEST

/* 16 ranks = 2 domains of 8: inside 1.75 GB at 240 GB/s (7.29 ms), across a
 * ring of 2 moves 2*(1/2)*1/8 GB at 22.5 GB/s (5.56 ms); they pipeline, so
 * the inside sets beta; both latencies add.  1024 ranks: the tree across
 * 128 domains (2 log2 128 = 14 steps) beats the ring's 254. */
START_TEST(hierarchical_across_domains)
{
	struct nb_interconnect ic = switch8();
	struct nb_coll_pred pr;

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 16, NB_ALGO_RING, &pr);
	ck_assert(pr.ok);
	ck_assert_int_eq(pr.domains, 2);
	ck_assert_int_eq(pr.per_domain, 8);
	ck_assert_int_eq(pr.outer_algo, NB_ALGO_RING);
	ck_assert_double_eq_tol(pr.beta_inner_s, 1.75e9 / 240e9, 1e-12);
	ck_assert_double_eq_tol(pr.beta_outer_s, 0.125e9 / 22.5e9, 1e-12);
	ck_assert_double_eq_tol(pr.beta_s, pr.beta_inner_s, 1e-15);
	ck_assert_double_eq_tol(pr.alpha_s, 14e-6 + 2 * 2e-6, 1e-15);
	ck_assert_double_eq_tol(pr.busbw, 1.875 * 1e9 / pr.seconds, 1);

	coll_predict(&ic, NB_COLL_ALLREDUCE, 1e9, 1024, NB_ALGO_RING, &pr);
	ck_assert_int_eq(pr.domains, 128);
	ck_assert_int_eq(pr.outer_algo, NB_ALGO_TREE);
	ck_assert_int_eq(pr.outer_steps, 14);
	ck_assert_double_eq_tol(pr.beta_s, 0.25e9 / 22.5e9, 1e-12);
}
END_TEST

START_TEST(interconnect_override)
{
	struct nb_interconnect ic = switch8();
	char msg[128];

	ck_assert_int_eq(coll_interconnect_override(&ic, "links_per_chip=8", msg, sizeof(msg)), 0);
	ck_assert_int_eq(ic.links_per_chip, 8);
	ck_assert_int_eq(coll_interconnect_override(&ic, "colour=3", msg, sizeof(msg)), -1);
	ck_assert_msg(strstr(msg, "'colour=3': unknown key"), "%s", msg);
	ck_assert_int_eq(coll_interconnect_override(&ic, "chips=-1", msg, sizeof(msg)), -1);
}
END_TEST

/* Every shipped chip: busbw grows with the message and never exceeds what
 * the links carry (twice a chip's line rate only with in-network
 * reduction).  At 1024 ranks the chips of a domain send only 2(g-1)/g of
 * the message among themselves while busbw counts 2(R-1)/R, so busbw may
 * exceed the line rate by g/(g-1), never more. */
START_TEST(shipped_profiles_within_line_rate)
{
	char *dir = xasprintf("%s/profiles", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);
		struct nb_interconnect ic;
		struct nb_coll_pred pr;
		double prev = 0, line, at8 = 0;

		ck_assert_int_eq(profile_interconnect(p, &ic), 0);
		line = ic.links_per_chip * ic.link_bytes_per_s * (ic.reduction ? 2 : 1);
		for (int op = 0; op < NB_COLL_NOPS; op++) {
			prev = 0;
			for (double s = 1024; s <= 1073741824.0; s *= 32) {
				coll_predict(&ic, (enum nb_coll_op)op, s, 8, NB_ALGO_AUTO, &pr);
				ck_assert_msg(pr.ok, "%s %s: %s", profile_id(p), coll_op_name(op), pr.reason);
				ck_assert_msg(pr.busbw >= prev && pr.busbw <= line, "%s %s %g B: busbw %g",
					      profile_id(p), coll_op_name(op), s, pr.busbw);
				prev = pr.busbw;
			}
			if (op == NB_COLL_ALLREDUCE)
				at8 = prev;
		}
		coll_predict(&ic, NB_COLL_ALLREDUCE, 1073741824.0, 1024, NB_ALGO_AUTO, &pr);
		ck_assert_msg(pr.ok, "%s: 1024 ranks: %s", profile_id(p), pr.reason);
		ck_assert_msg(pr.busbw <= line * ic.chips / (ic.chips - 1.0) && at8 > 0,
			      "%s: 1024 ranks %g", profile_id(p), pr.busbw);
	}
	profiles_free(set);
	free(dir);
}
END_TEST

/* Every shipped chip, a 1 GiB all-reduce from one full scale-up domain up
 * to 8192 ranks: adding domains never makes the operation faster (algbw
 * never rises), and the bus bandwidth stays within what each tier allows.
 * A tier's bound comes from its own bytes: a chip moves 2(g-1)/g of the
 * message inside its domain of g whatever R is, so the domain allows the
 * full domain's own busbw x [(R-1)/R] / [(g-1)/g]; the g chips of a domain
 * together move at least 2(n-1)/n of it across n domains over their NICs,
 * so the scale-out allows g x the chip's NIC rate x [(R-1)/R] / [(n-1)/n].
 * The first is why an 8-chip board's 1024-rank busbw may exceed its 8-rank
 * busbw by up to 8/7 while algbw does not move. */
START_TEST(many_ranks_bounded_by_the_slowest_tier)
{
	char *dir = xasprintf("%s/profiles", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;
	const double s = 1073741824.0;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);
		struct nb_interconnect ic;
		struct nb_coll_pred dom, pr;
		double prev_alg = INFINITY, nic;
		int g;

		ck_assert_int_eq(profile_interconnect(p, &ic), 0);
		g = ic.chips;
		nic = ic.nics_per_chip * ic.nic_bytes_per_s * ic.out_efficiency;
		coll_predict(&ic, NB_COLL_ALLREDUCE, s, g, NB_ALGO_AUTO, &dom);
		ck_assert_msg(dom.ok, "%s: %s", profile_id(p), dom.reason);
		for (int r = g; r <= 8192; r *= 2) {
			double n = r / g, inner, outer;

			coll_predict(&ic, NB_COLL_ALLREDUCE, s, r, NB_ALGO_AUTO, &pr);
			if (r > g && !ic.out_name) {
				ck_assert_msg(!pr.ok, "%s: %d ranks without a scale-out", profile_id(p), r);
				break;
			}
			ck_assert_msg(pr.ok, "%s %d ranks: %s", profile_id(p), r, pr.reason);
			ck_assert_msg(pr.algbw <= prev_alg * (1 + 1e-12), "%s: algbw rises to %g at %d ranks",
				      profile_id(p), pr.algbw, r);
			prev_alg = pr.algbw;
			inner = dom.busbw * ((r - 1.0) / r) / ((g - 1.0) / g);
			ck_assert_msg(pr.busbw <= inner * (1 + 1e-12), "%s %d ranks: busbw %g above the "
				      "domain's %g", profile_id(p), r, pr.busbw, inner);
			if (n > 1) {
				outer = g * nic * ((r - 1.0) / r) / ((n - 1) / n);
				ck_assert_msg(pr.busbw <= outer * (1 + 1e-12), "%s %d ranks: busbw %g above "
					      "the scale-out's %g", profile_id(p), r, pr.busbw, outer);
			}
		}
	}
	profiles_free(set);
	free(dir);
}
END_TEST

/* The alpha-beta fit recovers the line it was given, is not pulled off by
 * the large sizes alone, and refuses times that fall with the size. */
START_TEST(alpha_beta_fit)
{
	double bytes[6], secs[6], a = 0, b = 0;

	for (int i = 0; i < 6; i++) {
		bytes[i] = (double)(8LL << (4 * i));
		secs[i] = 2e-6 + bytes[i] / 1e10;
	}
	ck_assert_int_eq(coll_fit_alpha_beta(bytes, secs, 6, &a, &b), 0);
	ck_assert_double_eq_tol(a, 2e-6, 1e-12);
	ck_assert_double_eq_tol(b / 1e10, 1, 1e-9);
	secs[0] *= 1.2;		/* one noisy small point moves alpha, barely beta */
	ck_assert_int_eq(coll_fit_alpha_beta(bytes, secs, 6, &a, &b), 0);
	ck_assert(a > 2e-6 && a < 2.5e-6);
	ck_assert_double_eq_tol(b / 1e10, 1, 0.05);
	for (int i = 0; i < 6; i++)
		secs[i] = 1e-3 - i * 1e-4;
	ck_assert_int_eq(coll_fit_alpha_beta(bytes, secs, 6, &a, &b), -1);
}
END_TEST

Suite *suite_collective(void)
{
	Suite *s = suite_create("collective");
	TCase *tc = tcase_create("model");

	tcase_add_test(tc, busbw_factors_follow_nccl_tests);
	tcase_add_test(tc, ring_and_tree_on_a_switch);
	tcase_add_test(tc, nvls_sends_once);
	tcase_add_test(tc, full_mesh_uses_every_peer);
	tcase_add_test(tc, torus_slices);
	tcase_add_test(tc, hierarchical_across_domains);
	tcase_add_test(tc, interconnect_override);
	tcase_add_test(tc, shipped_profiles_within_line_rate);
	tcase_add_test(tc, many_ranks_bounded_by_the_slowest_tier);
	tcase_add_test(tc, alpha_beta_fit);
	suite_add_tcase(s, tc);
	return s;
}
