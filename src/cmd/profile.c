/* npubench profile: list, show, validate, probe and fetch chip profiles. */
#include "npubench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/profile-fetch.h"
#include "cmd/profile-probe.h"
#include "model/profile.h"
#include "report/format.h"
#include "util/util.h"

/* The --format option of list and show, from ALLOWED. */
static int parse_format(int argc, char **argv, unsigned allowed, enum nb_format *fmt)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_option(&nb_cmd_profile, optarg, allowed, fmt))
				return NB_EXIT_USAGE;
			break;
		default:
			return bad_option(&nb_cmd_profile, argv, c);
		}
	}
	return 0;
}

/* A peak in T(FL)OP/s, or "-" when the chip lacks the dtype. */
static const char *peak_text(const struct nb_profile *p, enum nb_dtype d, char *buf, size_t n)
{
	double v = profile_peak(p, d);

	if (v <= 0)
		return "-";
	snprintf(buf, n, "%.6g", v / 1e12);
	return buf;
}

static int profile_list(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct nb_col cols[] = {
		{ "id", NB_COL_STR, "ID", -16, 0, 0 },
		{ "name", NB_COL_STR, "NAME", -44, 44, NB_COL_QUOTED },
		{ "vendor", NB_COL_STR, "VENDOR", -8, 0, 0 },
		{ "year", NB_COL_INT, "YEAR", 4, 0, 0 },
		{ "fp16_tflops", NB_COL_NUM, "FP16", 8, 0, 0 },
		{ "bf16_tflops", NB_COL_NUM, "BF16", 8, 0, 0 },
		{ "int8_tops", NB_COL_NUM, "INT8", 8, 0, 0 },
		{ "memory_gib", NB_COL_NUM, "MEM", 7, 0, 0 },
		{ "bandwidth_gbs", NB_COL_NUM, "BW", 8, 0, 0 },
	};
	enum nb_format fmt = NB_FMT_TABLE;
	struct nb_profiles *set;
	struct nb_records *w;
	int ret = parse_format(argc, argv, NB_FMTS_LISTING, &fmt);

	if (ret)
		return ret;
	if (optind < argc)
		return usage_error(&nb_cmd_profile, "unexpected argument '%s'", argv[optind]);
	set = ctx_profiles(ctx);
	if (!set)
		return NB_EXIT_FAIL;
	if (fmt == NB_FMT_JSON) {
		/* Each profile whole, as loaded: every figure with its source. */
		printf("[");
		for (int i = 0; i < profiles_count(set); i++) {
			char *j = profile_snapshot_json(profiles_get(set, i));

			printf("%s%s", i ? ",\n" : "\n", j);
			free(j);
		}
		printf("\n]\n");
		return 0;
	}
	w = records_begin(stdout, fmt, cols, (int)NB_ARRAY_SIZE(cols), " ", 0);
	for (int i = 0; i < profiles_count(set); i++) {
		const struct nb_profile *p = profiles_get(set, i);
		char a[32], b[32], c[32], mem[32], bw[32];
		double gib = profile_mem_bytes(p) / 1073741824.0, gbs = profile_bw_bytes_per_s(p) / 1e9;
		struct nb_cell row[] = {
			{ profile_id(p), 0, 0 },
			{ profile_name(p), 0, 0 },
			{ profile_vendor(p), 0, 0 },
			{ NULL, profile_year(p), 0 },
			{ peak_text(p, NB_FP16, a, sizeof(a)), 0, 0 },
			{ peak_text(p, NB_BF16, b, sizeof(b)), 0, 0 },
			{ peak_text(p, NB_INT8, c, sizeof(c)), 0, 0 },
			{ mem, gib, 0 },
			{ bw, gbs, 0 },
		};

		/* json would want numbers, but json prints whole profiles above. */
		snprintf(mem, sizeof(mem), fmt == NB_FMT_TABLE ? "%.4gG" : "%.6g", gib);
		snprintf(bw, sizeof(bw), fmt == NB_FMT_TABLE ? "%.5g" : "%.6g", gbs);
		records_row(w, row);
	}
	records_end(w);
	if (fmt == NB_FMT_TABLE || fmt == NB_FMT_MARKDOWN)
		printf("\nFP16/BF16 in dense TFLOPS, INT8 in dense TOPS ('-': the chip has no such mode); "
		       "MEM in GiB; BW in GB/s.\n");
	return 0;
}

/* Sources are numbered as they are first cited and listed after the figures. */
struct show_state {
	const char *src[64];
	int n;
};

static void show_figure(void *arg, const char *path, double value, const char *source,
			const char *kind, const char *note)
{
	struct show_state *st = arg;
	int i;

	for (i = 0; i < st->n && strcmp(st->src[i], source); i++)
		;
	if (i == st->n && st->n < (int)NB_ARRAY_SIZE(st->src))
		st->src[st->n++] = source;
	printf("  %-36s %12.6g  %-11s [%d]%s%s\n", path, value, kind, i + 1, note ? "  " : "",
	       note ? note : "");
}

static int profile_show(int argc, char **argv, struct nb_ctx *ctx)
{
	enum nb_format fmt = NB_FMT_TABLE;
	const struct nb_profile *p;
	struct nb_profiles *set;
	struct show_state st = { { NULL }, 0 };
	const char *a;
	int ret = parse_format(argc, argv, NB_FMT(NB_FMT_TABLE) | NB_FMT(NB_FMT_JSON), &fmt);

	if (ret)
		return ret;
	if (optind >= argc)
		return usage_error(&nb_cmd_profile, "profile show needs a profile id");
	if (optind + 1 < argc)
		return usage_error(&nb_cmd_profile, "unexpected argument '%s'", argv[optind + 1]);
	set = ctx_profiles(ctx);
	if (!set)
		return NB_EXIT_FAIL;
	p = profiles_find(set, argv[optind]);
	if (!p) {
		error("no profile '%s' (see 'npubench profile list')", argv[optind]);
		return NB_EXIT_FAIL;
	}
	if (fmt == NB_FMT_JSON) {
		char *j = profile_snapshot_json(p);

		printf("%s\n", j);
		free(j);
		return 0;
	}
	printf("%s: %s (%s, %d)\n", profile_id(p), profile_name(p), profile_vendor(p), profile_year(p));
	printf("aliases:");
	for (int i = 0; (a = profile_alias(p, i)); i++)
		printf("%s %s", i ? "," : "", a);
	printf("\nfile: %s\n", profile_path(p));
	for (int d = 0; d < NB_DTYPE_COUNT; d++) {
		int via = profile_emulation(p, (enum nb_dtype)d);

		if (via >= 0)
			printf("emulation: %s via %s\n", dtype_name((enum nb_dtype)d), dtype_name((enum nb_dtype)via));
	}
	printf("\n  %-36s %12s  %-11s %s\n", "FIGURE", "VALUE", "KIND", "SOURCE, NOTE");
	profile_each_figure(p, show_figure, &st);
	printf("\nSources:\n");
	for (int i = 0; i < st.n; i++)
		printf("  [%d] %s\n", i + 1, st.src[i]);
	return 0;
}

static int profile_validate(int argc, char **argv, struct nb_ctx *ctx)
{
	int bad = 0;

	optind = 1;
	if (argc > 1 && argv[1][0] == '-' && strcmp(argv[1], "--"))
		return usage_error(&nb_cmd_profile, "unknown option '%s'", argv[1]);
	if (argc > 1 && !strcmp(argv[1], "--"))
		optind = 2;
	if (optind >= argc) {
		/* No files: every profile the search path holds. */
		struct nb_profiles *set = ctx_profiles(ctx);

		if (!set)
			return NB_EXIT_FAIL;
		for (int i = 0; i < profiles_count(set); i++)
			printf("%s: ok (%s)\n", profile_path(profiles_get(set, i)),
			       profile_id(profiles_get(set, i)));
		return 0;
	}
	for (int i = optind; i < argc; i++) {
		struct nb_profile *p = NULL;

		if (profile_load_file(argv[i], 1, &p)) {
			bad++;
			continue;
		}
		printf("%s: ok (%s)\n", argv[i], profile_id(p));
		profile_free(p);
	}
	if (bad)
		error("%d of %d profiles invalid", bad, argc - optind);
	return bad ? NB_EXIT_FAIL : 0;
}

static int cmd_profile(int argc, char **argv, struct nb_ctx *ctx)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **, struct nb_ctx *);
	} subs[] = {
		{ "list", profile_list },
		{ "show", profile_show },
		{ "validate", profile_validate },
		{ "probe", profile_probe_main },
		{ "fetch", profile_fetch_main },
	};

	if (argc < 2)
		return usage_error(&nb_cmd_profile, "profile needs a subcommand");
	for (size_t i = 0; i < NB_ARRAY_SIZE(subs); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1, ctx);
	{
		struct nb_near nr;

		return usage_error(&nb_cmd_profile, "unknown subcommand '%s'%s (use list, show, validate, "
				   "probe or fetch)", argv[1],
				   nb_near_choices(&nr, argv[1], "list|show|validate|probe|fetch"));
	}
}

const struct nb_command nb_cmd_profile = {
	.name = "profile",
	.exec = cmd_profile,
	.usage = "profile list|show|validate|probe|fetch [ARGS]",
	.summary = "List, show, validate, probe and fetch chip profiles.",
	.help = "Subcommands:\n"
		"  list [-f, --format table|csv|json|markdown]\n"
		"        every loaded profile: id, name, vendor, year, dense FP16/BF16 TFLOPS,\n"
		"        dense INT8 TOPS, memory (GiB) and bandwidth (GB/s)\n"
		"  show ID|ALIAS [-f, --format table|json]\n"
		"        every figure of one profile with its kind (vendor-spec, measured,\n"
		"        derived, estimate), its source and any note\n"
		"  validate [FILE...]\n"
		"        the strict loader's verdict on each FILE (or, with none, on every\n"
		"        profile in the search path); exits 1 on any error, naming the file,\n"
		"        the key path and the value\n"
		PROFILE_PROBE_HELP
		PROFILE_FETCH_HELP
		"\nProfiles are searched in --profiles DIR[:DIR...], NPUBENCH_PROFILES,\n"
		"$XDG_CONFIG_HOME/npubench/profiles, then the installed profiles; the schema\n"
		"is described in profiles/SCHEMA.md.\n",
};
