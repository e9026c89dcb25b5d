/* Unit tests of chip profiles: every shipped profile loads and is sourced;
 * each invalid fixture is refused with its own message naming the key. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_suites.h"
#include "cmd/profile-probe.h"
#include "model/profile.h"
#include "util/util.h"

static char *srcpath(const char *rel)
{
	return xasprintf("%s/%s", getenv("NB_SRCDIR") ? getenv("NB_SRCDIR") : ".", rel);
}

/* Stderr into a temporary file from capture_begin to capture_end, which
 * returns what was printed (malloc'd). */
struct capture {
	char path[32];
	int fd, saved;
};

static void capture_begin(struct capture *c)
{
	snprintf(c->path, sizeof(c->path), "/tmp/npubench-check-XXXXXX");
	c->fd = mkstemp(c->path);
	ck_assert_int_ge(c->fd, 0);
	fflush(stderr);
	c->saved = dup(2);
	dup2(c->fd, 2);
}

static char *capture_end(struct capture *c)
{
	char *text = NULL;
	size_t len;

	fflush(stderr);
	dup2(c->saved, 2);
	close(c->saved);
	close(c->fd);
	ck_assert_int_eq(nb_read_file(c->path, 1 << 16, &text, &len), 0);
	unlink(c->path);
	return text;
}

/* Loads PATH with stderr captured; returns what the loader printed. */
static char *load_error(const char *path, int check_name)
{
	struct nb_profile *p = NULL;
	struct capture cap;
	char *text;
	int ret;

	capture_begin(&cap);
	ret = profile_load_file(path, check_name, &p);
	text = capture_end(&cap);
	ck_assert_msg(ret == -1, "%s loaded but should not", path);
	profile_free(p);
	return text;
}

struct figure_check {
	int n;
	int bad;
	char first_bad[160];
};

static void check_figure(void *arg, const char *path, double value, const char *source,
			 const char *kind, const char *note)
{
	struct figure_check *fc = arg;

	NB_UNUSED(note);
	fc->n++;
	if (!(value > 0) || !*source || !*kind) {
		if (!fc->bad++)
			snprintf(fc->first_bad, sizeof(fc->first_bad), "%s", path);
	}
}

/* Iterates profiles/: every file loads, every figure has a source and a kind,
 * and the set loads as a whole (ids and aliases unique). */
START_TEST(every_shipped_profile_loads)
{
	char *dir = srcpath("profiles");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		struct nb_profile *p = NULL;
		struct figure_check fc = { 0 };
		char *path;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		ck_assert_msg(profile_load_file(path, 1, &p) == 0, "%s does not load", path);
		profile_each_figure(p, check_figure, &fc);
		ck_assert_msg(fc.bad == 0, "%s: figure %s lacks a value, source or kind", path, fc.first_bad);
		ck_assert_msg(fc.n >= 20, "%s: only %d figures", path, fc.n);
		ck_assert_msg(profile_peak(p, NB_BF16) > 0 || profile_peak(p, NB_FP16) > 0,
			      "%s: no 16-bit peak", path);
		ck_assert(profile_mem_bytes(p) > 0 && profile_bw_bytes_per_s(p) > 0);
		ck_assert(profile_field_source(p, "model.gemm_efficiency", NULL, NULL));
		profile_free(p);
		free(path);
		files++;
	}
	closedir(d);
	ck_assert_int_ge(files, 19);
	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	ck_assert_int_eq(profiles_count(set), files);
	profiles_free(set);
	free(dir);
}
END_TEST

/* The figures the issue names, and the aliases users type. */
START_TEST(required_chips_and_figures)
{
	char *dir = srcpath("profiles");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;
	const struct nb_profile *p;
	const char *kind = NULL, *note = NULL;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	/* 910b resolves to the documented default bin. */
	p = profiles_find(set, "910b");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(profile_id(p), "ascend-910b2");
	ck_assert_double_eq_tol(profile_peak(p, NB_FP16), 376e12, 1e6);
	ck_assert_double_eq_tol(profile_peak(profiles_find(set, "910b3"), NB_FP16), 313e12, 1e6);
	ck_assert_double_eq_tol(profile_peak(profiles_find(set, "910b4"), NB_FP16), 280e12, 1e6);
	/* Dense and sparse apart: H100 SXM FP16 989.4 dense, x2 only with 2:4. */
	p = profiles_find(set, "H100");
	ck_assert_ptr_nonnull(p);
	ck_assert_double_eq_tol(profile_peak(p, NB_FP16), 989.4e12, 1e6);
	ck_assert_double_eq_tol(profile_sparse_factor(p), 2, 1e-12);
	ck_assert_double_eq(profile_peak(p, NB_INT4), 0);
	ck_assert_int_eq(profile_emulation(p, NB_INT4), NB_INT8);
	ck_assert_ptr_nonnull(profiles_find(set, "h100-pcie"));
	ck_assert_ptr_nonnull(profiles_find(set, "a100-sxm4-40gb"));
	ck_assert_ptr_nonnull(profiles_find(set, "a100-sxm4-80gb"));
	/* TPU v5e: 197 BF16, 819 GB/s, and no FP16 rate (absent, not zero). */
	p = profiles_find(set, "tpu-v5e");
	ck_assert_ptr_nonnull(p);
	ck_assert_double_eq_tol(profile_peak(p, NB_BF16), 197e12, 1e6);
	ck_assert_double_eq(profile_peak(p, NB_FP16), 0);
	ck_assert_double_eq_tol(profile_bw_bytes_per_s(p), 819e9, 1);
	ck_assert_ptr_nonnull(profile_field_source(p, "memory.bandwidth_gbs", &kind, &note));
	ck_assert_str_eq(kind, "vendor-spec");
	ck_assert_ptr_nonnull(note);	/* the sources disagree: a note says so */
	ck_assert_ptr_null(profile_field_source(p, "peak_dense_tflops.fp16", NULL, NULL));
	for (const char *const *c = (const char *const[]){ "910", "910c", "h200", "tpu-v4", "v5p", "v6e",
							       "mi300x", "gaudi2", "gaudi3", "4090", NULL }; *c; c++)
		ck_assert_msg(profiles_find(set, *c) != NULL, "no profile for %s", *c);
	/* RTX 4090 (GeForce): fp16 at the FP32-accumulate tensor rate, half
	 * the FP16-accumulate 330.3; int8 at 660.6; 1008 GB/s. */
	p = profiles_find(set, "4090");
	ck_assert_double_eq_tol(profile_peak(p, NB_FP16), 165.2e12, 1e6);
	ck_assert_double_eq_tol(profile_peak(p, NB_BF16), 165.2e12, 1e6);
	ck_assert_double_eq_tol(profile_peak(p, NB_INT8), 660.6e12, 1e6);
	ck_assert_double_eq_tol(profile_bw_bytes_per_s(p), 1008e9, 1);
	profiles_free(set);
	free(dir);
}
END_TEST

/* Every shipped chip sits in a cluster: a scale-up domain and a scale-out
 * network, and the figures read back as loaded (H100: 18 NVLink 4 links of
 * 25 GB/s per direction, 8 per board, NVLS; TPU v5e: a 16x16 torus). */
START_TEST(every_profile_has_an_interconnect)
{
	char *dir = srcpath("profiles");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;
	struct nb_interconnect ic;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);

		ck_assert_msg(profile_interconnect(p, &ic) == 0, "%s: no interconnect.scale_up", profile_id(p));
		ck_assert_msg(ic.chips >= 2 && ic.links_per_chip >= 1 && ic.link_bytes_per_s > 0 &&
			      ic.latency_s > 0 && ic.efficiency > 0 && ic.efficiency <= 1,
			      "%s: scale_up figures", profile_id(p));
		ck_assert_msg(ic.out_name && ic.nics_per_chip > 0 && ic.nic_bytes_per_s > 0 &&
			      ic.out_latency_s > 0, "%s: no scale_out", profile_id(p));
	}
	ck_assert_int_eq(profile_interconnect(profiles_find(set, "h100"), &ic), 0);
	ck_assert_str_eq(ic.kind, "switch");
	ck_assert_int_eq(ic.chips, 8);
	ck_assert_int_eq(ic.links_per_chip, 18);
	ck_assert_double_eq_tol(ic.link_bytes_per_s, 25e9, 1);
	ck_assert_ptr_nonnull(ic.reduction);
	ck_assert_double_eq_tol(ic.nic_bytes_per_s, 50e9, 1);
	ck_assert_int_eq(profile_interconnect(profiles_find(set, "tpu-v5e"), &ic), 0);
	ck_assert_str_eq(ic.kind, "torus2d");
	ck_assert_str_eq(ic.shape, "16x16");
	ck_assert_ptr_null(ic.reduction);
	profiles_free(set);
	free(dir);
}
END_TEST

/* One fixture per rule of the strict loader, each with its own message. */
START_TEST(invalid_profiles_name_the_problem)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "unknown-key", "key \"colour\": unknown key" },
		{ "unknown-figure-key", "key \"memory.bandwidth_gbs.unit\": unknown key" },
		{ "wrong-type", "key \"memory.capacity_gib.value\": expected a number, got \"16\"" },
		{ "missing-required", "key \"memory.bandwidth_gbs\": missing required key" },
		{ "missing-source", "key \"compute.units.source\": missing required key" },
		{ "unknown-source", "key \"compute.units.source\": no such source in \"sources\", got \"S99\"" },
		{ "bad-kind", "key \"compute.units.kind\": expected vendor-spec, measured, derived or estimate" },
		{ "non-positive", "key \"peak_dense_tflops.fp16.value\": expected a positive number, got 0" },
		{ "fraction-above-one", "key \"model.gemm_efficiency.value\": expected a positive number at most 1, got 1.2" },
		{ "not-integer", "key \"compute.units.value\": expected an integer, got 10.5" },
		{ "unknown-dtype", "key \"peak_dense_tflops.fp12\": unknown dtype" },
		{ "llc-slower-than-memory", "key \"on_chip.llc_bandwidth_gbs\": on-chip bandwidth must exceed memory.bandwidth_gbs" },
		{ "sparse-as-dense", "key \"peak_dense_tflops\": fp32 (200) above the 16-bit peak (100)" },
		{ "emulation-via-missing", "int4 is emulated via fp8, which the chip lacks" },
		{ "block-not-multiple", "key \"compute.block_m\": block_m x block_n (120x128) must be multiples" },
		{ "domain-kind", "key \"interconnect.scale_up.kind\": expected switch, full_mesh, torus2d, torus3d or ring, got \"hypercube\"" },
		{ "torus-shape", "key \"interconnect.scale_up.shape\": \"8x4\" must have 2 dimensions multiplying to scale_up.chips (64)" },
		{ "links-over-bandwidth", "8 links x 10 GB/s x 2 directions exceeds interconnect.bandwidth_gbs (100)" },
		{ "not-json", "not-json.json:2: not valid JSON" },
		{ "misnamed", "key \"id\": the file must be named after the id (test-chip.json)" },
		{ "impl-unknown", "key \"model.impl.mkl\": unknown implementation (one of cublas|" },
		{ "impl-default-missing", "key \"model.default_impl.gemm\": \"cublas\" is not described under model.impl" },
		{ "impl-default-kind", "key \"model.default_impl.attention\": \"triton\" does not list attention" },
		{ "impl-no-note", "key \"model.impl.triton\": missing required key \"note\"" },
		{ "impl-computes-in", "key \"model.impl.triton.computes_in\": fp64 has no peak" },
	};

	for (size_t i = 0; i < NB_ARRAY_SIZE(cases); i++) {
		char *rel = xasprintf("tests/fixtures/bad-profiles/%s.json", cases[i].file);
		char *path = srcpath(rel);
		char *msg = load_error(path, 1);

		ck_assert_msg(strstr(msg, path) != NULL, "%s: message lacks the file: %s", cases[i].file, msg);
		ck_assert_msg(strstr(msg, cases[i].want) != NULL, "%s: got '%s', want '%s'",
			      cases[i].file, msg, cases[i].want);
		free(msg);
		free(path);
		free(rel);
	}
}
END_TEST

/* The valid fixture, its accessors and a duplicate alias across folders. */
START_TEST(fixture_accessors_and_alias_clash)
{
	char *dir = srcpath("tests/fixtures/profiles");
	char *shipped = srcpath("profiles");
	struct nb_profiles *set = NULL;
	const struct nb_profile *p;
	const char *variant = NULL;
	const struct nb_model_params *mp;
	int m, n, k;

	{
		const char *dirs[] = { dir };

		ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	}
	p = profiles_find(set, "TC");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(profile_id(p), "test-chip");
	ck_assert_int_eq(profile_units(p), 10);
	profile_tile(p, &m, &n, &k);
	ck_assert(m == 16 && n == 16 && k == 16);
	ck_assert_double_eq(profile_mem_bytes(p), 16.0 * 1073741824.0);
	ck_assert_double_eq(profile_llc_bytes(p), 16.0 * 1048576.0);
	ck_assert_double_eq(profile_tdp_w(p), 300);
	ck_assert_double_eq(profile_interconnect_bytes_per_s(p), 100e9);
	mp = profile_model_params(p, NULL, &variant);
	ck_assert_ptr_null(variant);
	ck_assert_double_eq(mp->gemm_efficiency, 0.5);
	ck_assert_double_eq(mp->sparse_efficiency, 0.5);
	mp = profile_model_params(p, "torch.matmul via slowlib 2.0", &variant);
	ck_assert_str_eq(variant, "triton");
	ck_assert_double_eq(mp->gemm_efficiency, 0.25);
	ck_assert_double_eq(mp->launch_us, 10);	/* not overridden: the default */
	{
		struct nb_impl im;
		char why[256];

		/* No default named: the model's figures, unnamed. */
		ck_assert_int_eq(profile_impl(p, NULL, "gemm", &im, why, sizeof(why)), 0);
		ck_assert_ptr_null(im.name);
		ck_assert_double_eq(im.params->gemm_efficiency, 0.5);
		ck_assert_int_eq(profile_impl(p, "triton", "gemm", &im, why, sizeof(why)), 0);
		ck_assert_str_eq(im.name, "triton");
		ck_assert_int_eq(im.computes_in, -1);
		ck_assert_double_eq(im.params->gemm_efficiency, 0.25);
		ck_assert_int_eq(profile_impl(p, "triton", "attention", &im, why, sizeof(why)), -1);
		ck_assert_str_eq(why, "impl triton on test-chip does not implement attention (for it the "
				 "profile has: none; impl=auto uses the profile's own model figures)");
		ck_assert_int_eq(profile_impl(p, "cublas", "gemm", &im, why, sizeof(why)), -1);
		ck_assert_str_eq(why, "test-chip's profile describes no cublas implementation of gemm "
				 "(it has: triton; impl=auto uses the profile's own model figures)");
		ck_assert_str_eq(profile_impl_matching(p, "torch.matmul via SLOWLIB", "gemm"), "triton");
		ck_assert_ptr_null(profile_impl_matching(p, "torch.matmul via SLOWLIB", "attention"));
		ck_assert_str_eq(profile_impl_name(p, 0), "triton");
		ck_assert_ptr_null(profile_impl_name(p, 1));
	}
	profiles_free(set);

	/* The same id twice: the earlier folder wins.  A different chip taking
	 * an alias already in use: an error naming both files. */
	{
		const char *dirs[] = { dir, dir, shipped };
		char tmpl[] = "/tmp/npubench-check-XXXXXX";
		char *text = NULL, *at, *other, *copy;
		size_t len;

		ck_assert_int_eq(profiles_load(dirs, 3, &set), 0);
		ck_assert_str_eq(profile_id(profiles_get(set, 0)), "test-chip");
		ck_assert_ptr_null(profiles_find(set, "nonesuch"));
		profiles_free(set);

		ck_assert_ptr_nonnull(mkdtemp(tmpl));
		copy = xasprintf("%s/test-chip.json", dir);
		ck_assert_int_eq(nb_read_file(copy, 1 << 20, &text, &len), 0);
		at = strstr(text, "\"test-chip\"");
		ck_assert_ptr_nonnull(at);
		memcpy(at, "\"tost-chip\"", 11);
		other = xasprintf("%s/tost-chip.json", tmpl);
		ck_assert_int_eq(nb_write_file_atomic(other, text, len), 0);
		dirs[1] = tmpl;
		nb_quiet_errors++;
		ck_assert_int_eq(profiles_load(dirs, 2, &set), -1);
		nb_quiet_errors--;
		unlink(other);
		rmdir(tmpl);
		free(other);
		free(copy);
		free(text);
	}
	free(dir);
	free(shipped);
}
END_TEST

/* The writer's key check is the loader's table: what one reads, the other
 * writes, and nothing else. */
START_TEST(writer_keys_are_the_loader_keys)
{
	ck_assert_int_eq(profile_key_type("memory.bandwidth_gbs"), NB_PK_FIG);
	ck_assert_int_eq(profile_key_type("compute.units"), NB_PK_FIGINT);
	ck_assert_int_eq(profile_key_type("compute.unit_kind"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("schema_version"), NB_PK_INT);
	ck_assert_int_eq(profile_key_type("aliases"), NB_PK_STRARR);
	ck_assert_int_eq(profile_key_type("peak_dense_tflops.bf16"), NB_PK_FIG);
	ck_assert_int_eq(profile_key_type("peak_dense_tflops.fp7"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("sources.PROBE"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("emulation.fp16.via"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("emulation.fp16.how"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("memory.bandwidth_gb"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("nosuch"), NB_PK_NONE);
	/* Implementations: named from the impl= vocabulary, their words and
	 * the model figures they may override. */
	ck_assert_int_eq(profile_key_type("model.impl.fa2"), NB_PK_OBJ);
	ck_assert_int_eq(profile_key_type("model.impl.fa2.note"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("model.impl.fa2.match"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("model.impl.tf32.computes_in"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("model.impl.fa2.kinds"), NB_PK_STRARR);
	ck_assert_int_eq(profile_key_type("model.impl.fa2.attention_efficiency"), NB_PK_FIG);
	ck_assert_int_eq(profile_key_type("model.impl.fa2.variants"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("model.impl.auto"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("model.impl.mkl.note"), NB_PK_NONE);
	ck_assert_int_eq(profile_key_type("model.default_impl.gemm"), NB_PK_STR);
	ck_assert_int_eq(profile_key_type("model.default_impl.stream"), NB_PK_NONE);
}
END_TEST

/* A profile written with an implementation section loads back with it. */
START_TEST(writer_writes_implementations)
{
	char *src = srcpath("tests/fixtures/profiles/test-chip.json"), *text = NULL;
	char tmpl[] = "/tmp/npubench-check-XXXXXX";
	struct nb_profile_doc *d;
	struct nb_profile *p = NULL;
	struct nb_impl im;
	char why[128], *file;
	size_t len;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	file = xasprintf("%s/test-chip.json", tmpl);
	ck_assert_int_eq(nb_read_file(src, 1 << 20, &text, &len), 0);
	d = profile_doc_parse(text);
	ck_assert_ptr_nonnull(d);
	profile_doc_str(d, "model.impl.fa2.note", "a test attention library");
	profile_doc_stradd(d, "model.impl.fa2.kinds", "attention");
	profile_doc_fig(d, "model.impl.fa2.attention_efficiency", 0.4, "T", "estimate", "set by nothing");
	profile_doc_str(d, "model.default_impl.attention", "fa2");
	ck_assert_int_eq(profile_doc_write(d, file, &p), 0);
	ck_assert_int_eq(profile_impl(p, "auto", "attention", &im, why, sizeof(why)), 0);
	ck_assert_str_eq(im.name, "fa2");
	ck_assert_int_eq(im.is_default, 1);
	ck_assert_double_eq(im.params->attention_efficiency, 0.4);
	ck_assert_double_eq(im.params->gemm_efficiency, 0.5);
	profile_free(p);
	profile_doc_free(d);
	unlink(file);
	rmdir(tmpl);
	free(file);
	free(text);
	free(src);
}
END_TEST

/* Spec-sheet arithmetic from the figures: H100 SXM's bf16 ridge point is
 * its dense peak over its bandwidth, per watt over its TDP. */
START_TEST(spec_sheet_arithmetic)
{
	char *dir = srcpath("profiles");
	const char *dirs[] = { dir };
	struct nb_profiles *set = NULL;
	const struct nb_profile *p;

	ck_assert_int_eq(profiles_load(dirs, 1, &set), 0);
	p = profiles_find(set, "h100-sxm");
	ck_assert_ptr_nonnull(p);
	ck_assert_double_eq_tol(profile_ridge_point(p, NB_BF16),
				profile_peak(p, NB_BF16) / profile_bw_bytes_per_s(p), 1e-9);
	ck_assert_double_eq_tol(profile_tflops_per_watt(p, NB_BF16),
				profile_peak(p, NB_BF16) / 1e12 / profile_tdp_w(p), 1e-12);
	ck_assert_double_eq_tol(profile_sparse_peak(p, NB_FP16), 2 * profile_peak(p, NB_FP16), 1);
	ck_assert(profile_ridge_point(p, NB_INT4) == 0 || profile_peak(p, NB_INT4) > 0);
	profiles_free(set);
	free(dir);
}
END_TEST

/* Readings the fake FMA loop returns, one per attempt. */
struct roof_fake {
	const double *reading;
	int calls;
};

static double roof_fake_again(int attempt, void *arg)
{
	struct roof_fake *f = arg;

	ck_assert_int_eq(attempt, ++f->calls);
	return f->reading[attempt - 1];
}

/* Settles the roof with stderr captured; returns what it printed. */
static char *settle(double gemm, double *roof, struct roof_fake *f, int *ret)
{
	struct capture cap;

	capture_begin(&cap);
	*ret = probe_roof_settle(gemm, roof, roof_fake_again, f);
	return capture_end(&cap);
}

/* The probe never writes a GEMM above its FMA roof: the roof is measured
 * again while the GEMM beats it, the highest reading kept, and the probe is
 * refused when the GEMM still beats it after every retry. */
START_TEST(probe_refuses_a_gemm_above_the_fma_peak)
{
	static const double low[ROOF_RETRIES] = { 90e9, 120e9, 110e9 };
	static const double clears[ROOF_RETRIES] = { 90e9, 250e9, 0 };
	struct roof_fake f = { low, 0 };
	double roof = 100e9;
	char *text;
	int ret;

	/* Under the roof: accepted as measured. */
	text = settle(80e9, &roof, &f, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(f.calls, 0);
	ck_assert_double_eq(roof, 100e9);
	ck_assert_str_eq(text, "");
	free(text);
	/* Above it after every retry: refused, saying so. */
	text = settle(200e9, &roof, &f, &ret);
	ck_assert_int_eq(ret, -1);
	ck_assert_int_eq(f.calls, ROOF_RETRIES);
	ck_assert_double_eq(roof, 120e9);
	ck_assert_msg(strstr(text, "beat the FMA peak (1e+11): the machine is busy; measuring the peak "
				   "again (1 of 3)"), "%s", text);
	ck_assert_msg(strstr(text, "the fp32 GEMM (2e+11 FLOP/s) still beats the FMA peak (1.2e+11) "
				   "measured 3 more times"), "%s", text);
	ck_assert_msg(strstr(text, "no profile written"), "%s", text);
	free(text);
	/* A longer reading that clears it: accepted, with that roof. */
	f = (struct roof_fake){ clears, 0 };
	roof = 100e9;
	text = settle(200e9, &roof, &f, &ret);
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_double_eq(roof, 250e9);
	ck_assert_ptr_null(strstr(text, "still beats"));
	free(text);
}
END_TEST

Suite *suite_profile(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_shipped_profile_loads);
	tcase_add_test(tc, required_chips_and_figures);
	tcase_add_test(tc, every_profile_has_an_interconnect);
	tcase_add_test(tc, invalid_profiles_name_the_problem);
	tcase_add_test(tc, fixture_accessors_and_alias_clash);
	tcase_add_test(tc, writer_keys_are_the_loader_keys);
	tcase_add_test(tc, writer_writes_implementations);
	tcase_add_test(tc, spec_sheet_arithmetic);
	tcase_add_test(tc, probe_refuses_a_gemm_above_the_fma_peak);
	suite_add_tcase(s, tc);
	return s;
}
