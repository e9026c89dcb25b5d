#include "kernels/suite.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "util/util.h"

/* Cases a suite may list before duplicates are dropped (expansion work). */
#define SUITE_MAX_LISTED (50 * NB_SUITE_MAX_CASES)

/* FNV-1a over what case_equal() compares. */
static uint64_t case_hash(const struct nb_case *c)
{
	uint64_t h = 1469598103934665603ULL;
	uintptr_t k = (uintptr_t)c->kernel;

	for (size_t b = 0; b < sizeof(k); b++)
		h = (h ^ ((k >> (8 * b)) & 0xff)) * 1099511628211ULL;
	for (int i = 0; i < c->kernel->nparams; i++) {
		uint64_t bits;

		if (c->kernel->params[i].type == NB_P_REAL) {
			double r = c->v[i].r == 0 ? 0.0 : c->v[i].r;	/* -0 equals 0 */

			memcpy(&bits, &r, sizeof(bits));
		} else {
			bits = (uint64_t)c->v[i].i;
		}
		for (size_t b = 0; b < 8; b++)
			h = (h ^ ((bits >> (8 * b)) & 0xff)) * 1099511628211ULL;
	}
	return h;
}

/* The index slot of C: where it is, or the free slot where it would go. */
static size_t index_slot(const struct nb_suite *s, const struct nb_case *c)
{
	size_t mask = s->nindex - 1, i = (size_t)case_hash(c) & mask;

	while (s->index[i] && !case_equal(&s->cases[s->index[i] - 1], c))
		i = (i + 1) & mask;
	return i;
}

/* Rebuilds the index at twice the size (kept at most half full). */
static void index_grow(struct nb_suite *s)
{
	free(s->index);
	s->nindex = s->nindex ? 2 * s->nindex : 64;
	s->index = xcalloc(s->nindex, sizeof(*s->index));
	for (int k = 0; k < s->ncases; k++)
		s->index[index_slot(s, &s->cases[k])] = k + 1;
}

void suite_add_case(struct nb_suite *s, const struct nb_case *c)
{
	size_t slot;

	if ((size_t)s->ncases + 1 > s->nindex / 2)
		index_grow(s);
	slot = index_slot(s, c);
	if (s->index[slot])
		return;
	if (s->ncases == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->cases = xrealloc(s->cases, (size_t)s->cap * sizeof(*s->cases));
	}
	s->cases[s->ncases++] = *c;
	s->index[slot] = s->ncases;
}

/* A JSON scalar as the text a user would type. */
static int scalar_text(const cJSON *v, char *buf, size_t n)
{
	if (cJSON_IsString(v)) {
		snprintf(buf, n, "%s", v->valuestring);
	} else if (cJSON_IsBool(v)) {
		snprintf(buf, n, "%d", cJSON_IsTrue(v) ? 1 : 0);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 9e15)
			snprintf(buf, n, "%.0f", d);
		else
			snprintf(buf, n, "%.17g", d);
	} else {
		return -1;
	}
	return 0;
}

/* Expands the object's fields from index FIELD on into cases. */
static int expand(struct nb_suite *s, const cJSON *obj, const cJSON *field,
		  struct nb_case *c, const char *path, int entry)
{
	char buf[128], msg[256];
	const cJSON *v;

	while (field && !strcmp(field->string, "kernel"))
		field = field->next;
	if (!field) {
		if (case_check(c, msg, sizeof(msg)))
			return error("%s: case %d: %s", path, entry, msg);
		if (s->ncases >= NB_SUITE_MAX_CASES)
			return error("%s: case %d: the suite expands to more than %d cases",
				     path, entry, NB_SUITE_MAX_CASES);
		suite_add_case(s, c);
		return 0;
	}
	if (cJSON_IsArray(field)) {
		if (cJSON_GetArraySize(field) == 0)
			return error("%s: case %d: field \"%s\": empty list", path, entry, field->string);
		cJSON_ArrayForEach(v, field) {
			struct nb_case copy = *c;

			if (scalar_text(v, buf, sizeof(buf)))
				return error("%s: case %d: field \"%s\": expected numbers or strings",
					     path, entry, field->string);
			if (case_set(&copy, field->string, buf, msg, sizeof(msg)))
				return error("%s: case %d: %s", path, entry, msg);
			if (expand(s, obj, field->next, &copy, path, entry))
				return -1;
		}
		return 0;
	}
	if (scalar_text(field, buf, sizeof(buf)))
		return error("%s: case %d: field \"%s\": expected a number, a string or a list",
			     path, entry, field->string);
	if (case_set(c, field->string, buf, msg, sizeof(msg)))
		return error("%s: case %d: %s", path, entry, msg);
	return expand(s, obj, field->next, c, path, entry);
}

int suite_parse(const char *text, const char *path, struct nb_suite **out)
{
	cJSON *root = cJSON_Parse(text), *cases, *item;
	struct nb_suite *s = NULL;
	const char *ep;
	double listed = 0;
	int entry = 0;

	*out = NULL;
	if (!root) {
		ep = cJSON_GetErrorPtr();
		if (ep && ep >= text) {
			int line = 1;

			for (const char *p = text; p < ep; p++)
				line += *p == '\n';
			return error("%s: line %d: malformed JSON", path, line);
		}
		return error("%s: malformed JSON", path);
	}
	if (report_json_unique_keys(root, path)) {
		cJSON_Delete(root);
		return -1;
	}
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	if (!cJSON_IsObject(root)) {
		error("%s: expected a JSON object with \"name\" and \"cases\"", path);
		goto fail;
	}
	for (cJSON *f = root->child; f; f = f->next) {
		if (!strcmp(f->string, "name") && cJSON_IsString(f)) {
			s->name = xstrdup(f->valuestring);
		} else if (!strcmp(f->string, "description") && cJSON_IsString(f)) {
			s->description = xstrdup(f->valuestring);
		} else if (!strcmp(f->string, "cases") && cJSON_IsArray(f)) {
			continue;
		} else if (!strcmp(f->string, "min_time") && cJSON_IsNumber(f) &&
			   f->valuedouble >= 0 && f->valuedouble <= 3600) {
			s->min_time = f->valuedouble;
		} else {
			error("%s: field \"%s\": unknown or of the wrong type (expected name, description, min_time, cases)",
			      path, f->string);
			goto fail;
		}
	}
	cases = cJSON_GetObjectItemCaseSensitive(root, "cases");
	if (!s->name || !cases) {
		error("%s: a suite needs \"name\" (a string) and \"cases\" (a list)", path);
		goto fail;
	}
	cJSON_ArrayForEach(item, cases) {
		struct nb_case c;
		char msg[256];

		entry++;
		if (cJSON_IsString(item)) {
			if (case_parse(item->valuestring, &c, msg, sizeof(msg))) {
				error("%s: case %d: %s", path, entry, msg);
				goto fail;
			}
			if (s->ncases >= NB_SUITE_MAX_CASES) {
				error("%s: case %d: the suite expands to more than %d cases",
				      path, entry, NB_SUITE_MAX_CASES);
				goto fail;
			}
			suite_add_case(s, &c);
			continue;
		}
		if (!cJSON_IsObject(item)) {
			error("%s: case %d: expected an object or a string", path, entry);
			goto fail;
		}
		cJSON *kn = cJSON_GetObjectItemCaseSensitive(item, "kernel");
		const struct nb_kernel *k;

		if (!cJSON_IsString(kn)) {
			error("%s: case %d: field \"kernel\": missing or not a string", path, entry);
			goto fail;
		}
		k = kernel_find(kn->valuestring);
		if (!k) {
			error("%s: case %d: unknown kernel '%s' (see 'npubench list kernels')",
			      path, entry, kn->valuestring);
			goto fail;
		}
		case_init(&c, k);
		/* The product of the lists, before any is expanded: a hostile
		 * 1000 x 1000 x 1000 stops here, not after a billion cases. */
		{
			double product = 1;

			for (const cJSON *f = item->child; f; f = f->next)
				if (cJSON_IsArray(f))
					product *= cJSON_GetArraySize(f);
			if (product > NB_SUITE_MAX_CASES) {
				error("%s: case %d: expands to %.0f cases; a suite may hold at most %d",
				      path, entry, product, NB_SUITE_MAX_CASES);
				goto fail;
			}
			/* Duplicates cost work too: bound what is enumerated. */
			listed += product;
			if (listed > SUITE_MAX_LISTED) {
				error("%s: case %d: the suite lists more than %d cases, duplicates included",
				      path, entry, SUITE_MAX_LISTED);
				goto fail;
			}
		}
		if (expand(s, item, item->child, &c, path, entry))
			goto fail;
	}
	if (s->ncases == 0) {
		error("%s: the suite has no cases", path);
		goto fail;
	}
	cJSON_Delete(root);
	*out = s;
	return 0;
fail:
	cJSON_Delete(root);
	suite_free(s);
	return -1;
}

int suite_load(const char *name, const char *dir, struct nb_suite **out)
{
	size_t len = strlen(name);
	char *path, *text = NULL;
	int ret;

	*out = NULL;
	if (strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".json"))) {
		path = xstrdup(name);
	} else {
		if (!*name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_") != len)
			return error("'%s' is not a suite name (see 'npubench list suites')", name);
		path = xasprintf("%s/%s.json", dir, name);
		if (access(path, R_OK) != 0) {
			error("no suite '%s' (looked for '%s'; see 'npubench list suites')", name, path);
			free(path);
			return -1;
		}
	}
	if (nb_read_file(path, 4 << 20, &text, NULL)) {
		free(path);
		return -1;
	}
	ret = suite_parse(text, path, out);
	free(text);
	free(path);
	return ret;
}

void suite_free(struct nb_suite *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->description);
	free(s->path);
	free(s->cases);
	free(s->index);
	free(s);
}
