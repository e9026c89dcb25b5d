/* Cases: parsing, checking and formatting kernel parameters. */
#include "kernels/kernel.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const struct nb_kernel *kernel_find(const char *name)
{
	for (int i = 0; i < nb_nkernels; i++)
		if (!strcmp(nb_kernels[i]->name, name))
			return nb_kernels[i];
	return NULL;
}

int kernel_param_index(const struct nb_kernel *k, const char *name)
{
	for (int i = 0; i < k->nparams; i++)
		if (!strcmp(k->params[i].name, name))
			return i;
	return -1;
}

int64_t case_int(const struct nb_case *c, const char *name)
{
	int i = kernel_param_index(c->kernel, name);

	if (i < 0)
		die("internal error: kernel %s has no parameter '%s'", c->kernel->name, name);
	return c->v[i].i;
}

enum nb_dtype case_dtype(const struct nb_case *c)
{
	return (enum nb_dtype)case_int(c, "dtype");
}

int nb_choice_index(const char *choices, const char *word)
{
	size_t wl = strlen(word);
	int idx = 0;

	for (const char *p = choices; *p; idx++) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == wl && !strncmp(p, word, len))
			return idx;
		if (!bar)
			break;
		p = bar + 1;
	}
	return -1;
}

const char *nb_choice_at(const char *choices, int idx, char *buf, size_t n)
{
	const char *p = choices;

	for (int i = 0; i < idx && p; i++) {
		p = strchr(p, '|');
		if (p)
			p++;
	}
	if (!p)
		return "?";
	const char *bar = strchr(p, '|');
	size_t len = bar ? (size_t)(bar - p) : strlen(p);

	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

static int set_value(const struct nb_param_desc *d, union nb_value *v,
		     const char *value, char *msg, size_t msglen)
{
	int64_t iv;
	double rv;
	int idx;

	switch (d->type) {
	case NB_P_INT:
		if (nb_parse_i64(value, &iv)) {
			snprintf(msg, msglen, "parameter %s: '%s' is not an integer", d->name, value);
			return -1;
		}
		if ((double)iv < d->min || (double)iv > d->max) {
			snprintf(msg, msglen, "parameter %s: %s is out of range [%.0f, %.0f]",
				 d->name, value, d->min, d->max);
			return -1;
		}
		v->i = iv;
		return 0;
	case NB_P_REAL:
		if (nb_parse_double(value, &rv)) {
			snprintf(msg, msglen, "parameter %s: '%s' is not a number", d->name, value);
			return -1;
		}
		if (rv < d->min || rv > d->max) {
			snprintf(msg, msglen, "parameter %s: %s is out of range [%g, %g]",
				 d->name, value, d->min, d->max);
			return -1;
		}
		v->r = rv;
		return 0;
	case NB_P_BOOL:
		if (!strcmp(value, "1") || !strcmp(value, "true") || !strcmp(value, "yes")) {
			v->i = 1;
			return 0;
		}
		if (!strcmp(value, "0") || !strcmp(value, "false") || !strcmp(value, "no")) {
			v->i = 0;
			return 0;
		}
		snprintf(msg, msglen, "parameter %s: '%s' is not a boolean (use 0 or 1)", d->name, value);
		return -1;
	case NB_P_ENUM:
		idx = nb_choice_index(d->choices, value);
		if (idx < 0) {
			struct nb_near nr;

			nb_near_init(&nr, value);
			nb_near_offer_choices(&nr, d->choices);
			snprintf(msg, msglen, "parameter %s: '%s' is not one of %s%s", d->name, value,
				 d->choices, nb_near_hint(&nr));
			return -1;
		}
		v->i = idx;
		return 0;
	case NB_P_DTYPE:
		idx = dtype_parse(value);
		if (idx < 0 || nb_choice_index(d->choices, value) < 0) {
			struct nb_near nr;

			nb_near_init(&nr, value);
			nb_near_offer_choices(&nr, d->choices);
			snprintf(msg, msglen, "dtype '%s' is not supported by this kernel%s (use one of %s)",
				 value, nb_near_hint(&nr), d->choices);
			return -1;
		}
		v->i = idx;
		return 0;
	}
	snprintf(msg, msglen, "parameter %s: bad descriptor", d->name);
	return -1;
}

void case_resolve(const struct nb_case *c, const struct nb_target_mem *m, struct nb_case *out)
{
	*out = *c;
	if (c->kernel->resolve)
		c->kernel->resolve(out, m);
}

void case_init(struct nb_case *c, const struct nb_kernel *k)
{
	char msg[256];

	memset(c, 0, sizeof(*c));
	c->kernel = k;
	if (k->nparams > NB_MAX_PARAMS)
		die("internal error: kernel %s has %d parameters, more than NB_MAX_PARAMS (%d)", k->name,
		    k->nparams, NB_MAX_PARAMS);
	for (int i = 0; i < k->nparams; i++)
		if (set_value(&k->params[i], &c->v[i], k->params[i].def, msg, sizeof(msg)))
			die("internal error: kernel %s: default: %s", k->name, msg);
}

int case_set(struct nb_case *c, const char *key, const char *value, char *msg, size_t msglen)
{
	int i = kernel_param_index(c->kernel, key);

	if (i < 0) {
		struct strbuf names = STRBUF_INIT;
		struct nb_near nr;

		nb_near_init(&nr, key);
		for (int j = 0; j < c->kernel->nparams; j++) {
			sb_addf(&names, "%s%s", j ? ", " : "", c->kernel->params[j].name);
			nb_near_offer(&nr, c->kernel->params[j].name, strlen(c->kernel->params[j].name));
		}
		snprintf(msg, msglen, "kernel %s has no parameter '%s'%s (it has: %s)",
			 c->kernel->name, key, nb_near_hint(&nr), sb_str(&names));
		sb_release(&names);
		return -1;
	}
	return set_value(&c->kernel->params[i], &c->v[i], value, msg, msglen);
}

int case_parse(const char *text, struct nb_case *c, char *msg, size_t msglen)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	const struct nb_kernel *k;
	uint64_t seen = 0;
	int ret = -1;

	for (char *p = copy; *p; p++)
		if (*p == ',' || *p == '\t' || *p == '\n')
			*p = ' ';
	tok = strtok_r(copy, " ", &save);
	if (!tok) {
		snprintf(msg, msglen, "empty case");
		goto out;
	}
	k = kernel_find(tok);
	if (!k) {
		struct nb_near nr;

		nb_near_init(&nr, tok);
		for (int i = 0; i < nb_nkernels; i++)
			nb_near_offer(&nr, nb_kernels[i]->name, strlen(nb_kernels[i]->name));
		snprintf(msg, msglen, "unknown kernel '%s'%s (see 'npubench list kernels')", tok,
			 nb_near_hint(&nr));
		goto out;
	}
	case_init(c, k);
	while ((tok = strtok_r(NULL, " ", &save))) {
		char *eq = strchr(tok, '=');
		int i;

		if (!eq || eq == tok) {
			snprintf(msg, msglen, "'%s': expected KEY=VALUE", tok);
			goto out;
		}
		*eq = '\0';
		/* A parameter given twice is a typo, not an override. */
		if ((i = kernel_param_index(k, tok)) >= 0 && (seen >> i & 1)) {
			snprintf(msg, msglen, "parameter %s given twice", tok);
			goto out;
		}
		if (case_set(c, tok, eq + 1, msg, msglen))
			goto out;
		seen |= 1ULL << i;
	}
	ret = case_check(c, msg, msglen);
out:
	free(copy);
	return ret;
}

int case_check(const struct nb_case *c, char *msg, size_t msglen)
{
	if (c->kernel->check)
		return c->kernel->check(c, msg, msglen);
	return 0;
}

const char *case_value_text(const struct nb_case *c, int i, char *buf, size_t n)
{
	const struct nb_param_desc *d = &c->kernel->params[i];

	switch (d->type) {
	case NB_P_INT:
	case NB_P_BOOL:
		snprintf(buf, n, "%lld", (long long)c->v[i].i);
		return buf;
	case NB_P_REAL:
		snprintf(buf, n, "%.17g", c->v[i].r);
		/* Prefer the shortest text that reads back the same. */
		for (int prec = 1; prec <= 17; prec++) {
			char tmp[64];

			snprintf(tmp, sizeof(tmp), "%.*g", prec, c->v[i].r);
			if (strtod(tmp, NULL) == c->v[i].r) {
				snprintf(buf, n, "%s", tmp);
				break;
			}
		}
		return buf;
	case NB_P_ENUM:
		return nb_choice_at(d->choices, (int)c->v[i].i, buf, n);
	case NB_P_DTYPE:
		snprintf(buf, n, "%s", dtype_name((enum nb_dtype)c->v[i].i));
		return buf;
	}
	return "?";
}

char *case_format_params(const struct nb_case *c)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[64];

	for (int i = 0; i < c->kernel->nparams; i++)
		sb_addf(&sb, "%s%s=%s", i ? " " : "", c->kernel->params[i].name,
			case_value_text(c, i, buf, sizeof(buf)));
	return sb_detach(&sb);
}

char *case_format(const struct nb_case *c)
{
	char *p = case_format_params(c);
	char *s = xasprintf("%s%s%s", c->kernel->name, *p ? " " : "", p);

	free(p);
	return s;
}

/* Whether parameter I of C belongs in its label (see label_omit). */
static int label_shows(const struct nb_case *c, int i)
{
	const char *rules = c->kernel->label_omit, *name = c->kernel->params[i].name;
	size_t nl = strlen(name);

	for (const char *p = rules; p && *p;) {
		size_t len = strcspn(p, " ");

		if (len > nl && !strncmp(p, name, nl) && (p[nl] == '=' || p[nl] == '@')) {
			const char *key = p[nl] == '@' ? p + nl + 1 : p;
			const char *eq = memchr(key, '=', len - (size_t)(key - p));
			char k[32], want[32], buf[64];
			int j;

			if (eq) {
				/* "KEY@OTHER!=VALUE": omitted while OTHER holds
				 * anything else (fp8's options off fp8). */
				int negate = eq > key && eq[-1] == '!';

				snprintf(k, sizeof(k), "%.*s", (int)(eq - key - negate), key);
				snprintf(want, sizeof(want), "%.*s", (int)(len - (size_t)(eq + 1 - p)), eq + 1);
				j = kernel_param_index(c->kernel, k);
				if (j >= 0 && (strcmp(case_value_text(c, j, buf, sizeof(buf)), want) == 0) != negate)
					return 0;
			}
		}
		p += len;
		p += strspn(p, " ");
	}
	return 1;
}

char *case_format_label(const struct nb_case *c)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[64];

	sb_adds(&sb, c->kernel->name);
	for (int i = 0; i < c->kernel->nparams; i++)
		if (label_shows(c, i))
			sb_addf(&sb, " %s=%s", c->kernel->params[i].name, case_value_text(c, i, buf, sizeof(buf)));
	return sb_detach(&sb);
}

char *case_format_label_text(const char *text)
{
	struct nb_case c;
	char msg[256];

	nb_quiet_errors++;
	if (!text || case_parse(text, &c, msg, sizeof(msg))) {
		nb_quiet_errors--;
		return xstrdup(text ? text : "");
	}
	nb_quiet_errors--;
	return case_format_label(&c);
}

int case_equal(const struct nb_case *a, const struct nb_case *b)
{
	if (a->kernel != b->kernel)
		return 0;
	for (int i = 0; i < a->kernel->nparams; i++) {
		if (a->kernel->params[i].type == NB_P_REAL) {
			if (a->v[i].r != b->v[i].r)
				return 0;
		} else if (a->v[i].i != b->v[i].i) {
			return 0;
		}
	}
	return 1;
}

char *case_params_json(const struct nb_case *c)
{
	const struct nb_kernel *k = c->kernel;
	cJSON *o = cJSON_CreateObject();
	char buf[64], *text, *copy;

	for (int i = 0; i < k->nparams; i++) {
		const struct nb_param_desc *d = &k->params[i];

		if (d->type == NB_P_INT || d->type == NB_P_BOOL)
			cJSON_AddNumberToObject(o, d->name, (double)c->v[i].i);
		else if (d->type == NB_P_REAL)
			cJSON_AddNumberToObject(o, d->name, c->v[i].r);
		else
			cJSON_AddStringToObject(o, d->name, case_value_text(c, i, buf, sizeof(buf)));
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		die("out of memory formatting JSON");
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

int case_measurable(const struct nb_case *c, const char *allowed, int fp8_ok, char *msg, size_t msglen)
{
	int i = kernel_param_index(c->kernel, "impl"), d = kernel_param_index(c->kernel, "dtype");
	char buf[32];

	if (i >= 0 && c->v[i].i != 0) {
		nb_choice_at(NB_IMPL_CHOICES, (int)c->v[i].i, buf, sizeof(buf));
		if (!allowed || nb_choice_index(allowed, buf) < 0) {
			snprintf(msg, msglen, "impl=%s names a library a chip profile describes; "
				 "this target runs its own implementation (impl=auto%s%s)",
				 buf, allowed ? ", " : "", allowed ? allowed : "");
			return -1;
		}
	}
	if (d < 0 || (enum nb_dtype)c->v[d].i != NB_FP8)
		return 0;
	if (!fp8_ok) {
		snprintf(msg, msglen, "dtype=fp8: this target has no fp8 arithmetic (fp8 is "
			 "predicted on chips; a host result would be fp32 arithmetic)");
		return -1;
	}
	i = kernel_param_index(c->kernel, "fp8");
	d = kernel_param_index(c->kernel, "fp8_scale");
	if ((i >= 0 && c->v[i].i != 0) || (d >= 0 && c->v[d].i != 0)) {
		snprintf(msg, msglen, "dtype=fp8: this target runs e4m3 inputs with per-tensor scales "
			 "only (fp8=e4m3 fp8_scale=tensor)");
		return -1;
	}
	return 0;
}

int case_check_fp8(const struct nb_case *c, char *msg, size_t msglen)
{
	int d = kernel_param_index(c->kernel, "dtype");
	const char *names[] = { "fp8", "fp8_scale" };

	if (d >= 0 && (enum nb_dtype)c->v[d].i == NB_FP8)
		return 0;
	for (size_t j = 0; j < NB_ARRAY_SIZE(names); j++) {
		int i = kernel_param_index(c->kernel, names[j]);
		char buf[16];

		if (i >= 0 && c->v[i].i != 0) {
			snprintf(msg, msglen, "%s %s=%s: needs dtype=fp8", c->kernel->name, names[j],
				 case_value_text(c, i, buf, sizeof(buf)));
			return -1;
		}
	}
	return 0;
}
