/* The model catalog (data/models/).  cJSON stays inside the model module. */
#include "model/llm.h"

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "util/util.h"

#define MAX_MODELS 64

struct entry {
	struct nb_llm m;
	char *name, *source;
};

static struct entry models[MAX_MODELS];
static int nmodels, loaded;

/* Every figure a model file may give, where it goes, and its range. */
static const struct field {
	const char *key;
	size_t off;
	int64_t min, max;
	int required;
} fields[] = {
	{ "hidden", offsetof(struct nb_llm, hidden), 1, 1 << 20, 1 },
	{ "heads", offsetof(struct nb_llm, heads), 1, 1 << 14, 1 },
	{ "kv_heads", offsetof(struct nb_llm, kv_heads), 1, 1 << 14, 0 },
	{ "head_dim", offsetof(struct nb_llm, head_dim), 1, 4096, 0 },
	{ "layers", offsetof(struct nb_llm, layers), 1, 1 << 14, 1 },
	{ "ffn", offsetof(struct nb_llm, ffn), 1, 1 << 22, 1 },
	{ "vocab", offsetof(struct nb_llm, vocab), 1, 1 << 24, 1 },
	{ "experts", offsetof(struct nb_llm, experts), 1, 1 << 16, 0 },
	{ "topk", offsetof(struct nb_llm, topk), 1, 1 << 10, 0 },
	{ "seq", offsetof(struct nb_llm, seq), 1, 1 << 22, 1 },
};

static const char *const text_keys[] = { "id", "name", "source", "notes" };

const char *llm_dir(void)
{
	static char buf[1024];
	const char *env = getenv("NPUBENCH_MODELS");

	if (env && *env)
		return env;
	snprintf(buf, sizeof(buf), "%s/data/models", NB_SRCDIR);
	if (!access(buf, R_OK))
		return buf;
	return NB_PKGDATADIR "/models";
}

/* {"value": V, "source": "..."}: the value, checked, or -1 after an error. */
static int figure(const char *path, const cJSON *item, const char *key, const cJSON **value)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(item, "source");

	*value = cJSON_GetObjectItemCaseSensitive(item, "value");
	if (!cJSON_IsObject(item) || !*value || !cJSON_IsString(src) || !src->valuestring[0] ||
	    cJSON_GetArraySize(item) != 2)
		return error("%s: %s: expected {\"value\": ..., \"source\": \"...\"}", path, key);
	return 0;
}

static int set_field(const char *path, struct nb_llm *m, const cJSON *item, unsigned *seen)
{
	const cJSON *v;

	if (!strcmp(item->string, "gated")) {
		if (figure(path, item, "gated", &v))
			return -1;
		if (!cJSON_IsBool(v))
			return error("%s: gated: value must be true or false", path);
		m->gated = cJSON_IsTrue(v);
		return 0;
	}
	for (size_t i = 0; i < NB_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		if (strcmp(item->string, f->key))
			continue;
		if (figure(path, item, f->key, &v))
			return -1;
		if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble ||
		    v->valuedouble < f->min || v->valuedouble > f->max)
			return error("%s: %s: value must be an integer in [%lld, %lld]", path, f->key,
				     (long long)f->min, (long long)f->max);
		*(int64_t *)((char *)m + f->off) = (int64_t)v->valuedouble;
		*seen |= 1u << i;
		return 0;
	}
	for (size_t i = 0; i < NB_ARRAY_SIZE(text_keys); i++)
		if (!strcmp(item->string, text_keys[i])) {
			if (!cJSON_IsString(item) || !item->valuestring[0])
				return error("%s: %s: expected a non-empty string", path, item->string);
			return 0;
		}
	return error("%s: unknown key '%s'", path, item->string);
}

static int load_file(const char *path, struct entry *e)
{
	char *text = NULL;
	size_t len;
	cJSON *root = NULL, *item;
	unsigned seen = 0;
	const char *id, *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int ret = -1;

	memset(e, 0, sizeof(*e));
	if (nb_read_file(path, 1 << 20, &text, &len))
		goto out;
	if (!(root = cJSON_Parse(text)) || !cJSON_IsObject(root)) {
		error("%s: not a JSON object", path);
		goto out;
	}
	cJSON_ArrayForEach(item, root)
		if (set_field(path, &e->m, item, &seen))
			goto out;
	for (size_t i = 0; i < NB_ARRAY_SIZE(fields); i++)
		if (fields[i].required && !(seen & (1u << i))) {
			error("%s: missing '%s'", path, fields[i].key);
			goto out;
		}
	for (size_t i = 0; i < 3; i++)
		if (!cJSON_GetObjectItemCaseSensitive(root, text_keys[i])) {
			error("%s: missing '%s'", path, text_keys[i]);
			goto out;
		}
	id = cJSON_GetObjectItemCaseSensitive(root, "id")->valuestring;
	if (strlen(id) >= sizeof(e->m.id) || strncmp(base, id, strlen(id)) || strcmp(base + strlen(id), ".json")) {
		error("%s: id '%s' must match the file name", path, id);
		goto out;
	}
	snprintf(e->m.id, sizeof(e->m.id), "%s", id);
	if (!e->m.kv_heads)
		e->m.kv_heads = e->m.heads;
	if (!e->m.head_dim)
		e->m.head_dim = e->m.hidden / e->m.heads;
	if (!e->m.experts)
		e->m.experts = 1;
	if (!e->m.topk)
		e->m.topk = 1;
	if (e->m.heads % e->m.kv_heads || e->m.topk > e->m.experts) {
		error("%s: heads must be a multiple of kv_heads and topk at most experts", path);
		goto out;
	}
	e->name = xstrdup(cJSON_GetObjectItemCaseSensitive(root, "name")->valuestring);
	e->source = xstrdup(cJSON_GetObjectItemCaseSensitive(root, "source")->valuestring);
	ret = 0;
out:
	cJSON_Delete(root);
	free(text);
	return ret;
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->m.id, ((const struct entry *)b)->m.id);
}

int llm_load(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	for (int i = 0; i < nmodels; i++) {
		free(models[i].name);
		free(models[i].source);
	}
	nmodels = 0;
	loaded = 1;
	if (!d)
		return error("cannot open the model catalog '%s'", dir);
	while ((de = readdir(d)) && !ret) {
		size_t n = strlen(de->d_name);
		char *path;

		if (n < 6 || strcmp(de->d_name + n - 5, ".json"))
			continue;
		if (nmodels == MAX_MODELS) {
			ret = error("%s: more than %d models", dir, MAX_MODELS);
			break;
		}
		path = xasprintf("%s/%s", dir, de->d_name);
		if (load_file(path, &models[nmodels]))
			ret = -1;
		else
			nmodels++;
		free(path);
	}
	closedir(d);
	qsort(models, (size_t)nmodels, sizeof(models[0]), by_id);
	return ret;
}

static void ensure(void)
{
	if (!loaded)
		llm_load(llm_dir());
}

int llm_count(void)
{
	ensure();
	return nmodels;
}

const struct nb_llm *llm_get(int i)
{
	ensure();
	return i >= 0 && i < nmodels ? &models[i].m : NULL;
}

const char *llm_name(int i)
{
	return llm_get(i) ? models[i].name : NULL;
}

const char *llm_source(int i)
{
	return llm_get(i) ? models[i].source : NULL;
}

const struct nb_llm *llm_find(const char *id)
{
	ensure();
	for (int i = 0; i < nmodels; i++)
		if (!strcmp(models[i].m.id, id))
			return &models[i].m;
	return NULL;
}
