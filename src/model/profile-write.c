/* Writing profiles: every key checked against the loader's key table
 * (profile_key_type), so a writer cannot produce a key the loader rejects or
 * ignores. */
#include "model/profile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/util.h"

struct nb_profile_doc {
	cJSON *root;
};

struct nb_profile_doc *profile_doc_new(void)
{
	struct nb_profile_doc *d = xcalloc(1, sizeof(*d));

	d->root = cJSON_CreateObject();
	if (!d->root)
		die("out of memory");
	return d;
}

struct nb_profile_doc *profile_doc_parse(const char *text)
{
	cJSON *root = cJSON_Parse(text);
	struct nb_profile_doc *d;

	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->root = root;
	return d;
}

void profile_doc_free(struct nb_profile_doc *d)
{
	if (!d)
		return;
	cJSON_Delete(d->root);
	free(d);
}

/* The object that holds the last part of PATH (created on the way), and that
 * part in *LAST; the member already there is removed unless KEEP.  Dies when
 * PATH is not a key of type WANT. */
static cJSON *parent_of(struct nb_profile_doc *d, const char *path, enum nb_pkey want, int keep,
			const char **last)
{
	cJSON *o = d->root;
	const char *p = path, *dot;
	char part[64];

	if (profile_key_type(path) != want)
		die("internal error: \"%s\" is not a profile key of the kind written", path);
	while ((dot = strchr(p, '.'))) {
		cJSON *next;

		snprintf(part, sizeof(part), "%.*s", (int)(dot - p), p);
		next = cJSON_GetObjectItemCaseSensitive(o, part);
		if (!next)
			next = cJSON_AddObjectToObject(o, part);
		if (!cJSON_IsObject(next))
			die("internal error: profile key \"%s\": \"%s\" is not an object", path, part);
		o = next;
		p = dot + 1;
	}
	*last = p;
	if (!keep)
		cJSON_DeleteItemFromObjectCaseSensitive(o, p);
	return o;
}

void profile_doc_str(struct nb_profile_doc *d, const char *path, const char *value)
{
	const char *last;
	cJSON *o = parent_of(d, path, NB_PK_STR, 0, &last);

	cJSON_AddStringToObject(o, last, value);
}

void profile_doc_int(struct nb_profile_doc *d, const char *path, int value)
{
	const char *last;
	cJSON *o = parent_of(d, path, NB_PK_INT, 0, &last);

	cJSON_AddNumberToObject(o, last, value);
}

void profile_doc_strarr(struct nb_profile_doc *d, const char *path)
{
	const char *last;
	cJSON *o = parent_of(d, path, NB_PK_STRARR, 0, &last);

	cJSON_AddItemToObject(o, last, cJSON_CreateArray());
}

void profile_doc_stradd(struct nb_profile_doc *d, const char *path, const char *value)
{
	const char *p;
	/* The array written so far is kept. */
	cJSON *o = parent_of(d, path, NB_PK_STRARR, 1, &p), *arr;

	arr = cJSON_GetObjectItemCaseSensitive(o, p);
	if (!arr)
		arr = cJSON_AddArrayToObject(o, p);
	if (!cJSON_IsArray(arr))
		die("internal error: profile key \"%s\" is not an array", path);
	cJSON_AddItemToArray(arr, cJSON_CreateString(value));
}

void profile_doc_fig(struct nb_profile_doc *d, const char *path, double value, const char *source,
		     const char *kind, const char *note)
{
	enum nb_pkey t = profile_key_type(path);
	const char *last;
	cJSON *o = parent_of(d, path, t == NB_PK_FIGINT ? NB_PK_FIGINT : NB_PK_FIG, 0, &last);
	cJSON *f = cJSON_AddObjectToObject(o, last);

	cJSON_AddNumberToObject(f, "value", value);
	cJSON_AddStringToObject(f, "source", source);
	cJSON_AddStringToObject(f, "kind", kind);
	if (note && *note)
		cJSON_AddStringToObject(f, "note", note);
}

/* The figure object at PATH, or NULL. */
static cJSON *figure_at(const struct nb_profile_doc *d, const char *path)
{
	cJSON *o = d->root;
	const char *p = path, *dot;
	char part[64];

	while (o && (dot = strchr(p, '.'))) {
		snprintf(part, sizeof(part), "%.*s", (int)(dot - p), p);
		o = cJSON_GetObjectItemCaseSensitive(o, part);
		p = dot + 1;
	}
	return o ? cJSON_GetObjectItemCaseSensitive(o, p) : NULL;
}

double profile_doc_value(const struct nb_profile_doc *d, const char *path)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(figure_at(d, path), "value");

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

void profile_doc_revalue(struct nb_profile_doc *d, const char *path, double value, const char *why)
{
	cJSON *f = figure_at(d, path);
	cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "value");
	cJSON *note = cJSON_GetObjectItemCaseSensitive(f, "note");

	if (!cJSON_IsNumber(v))
		die("internal error: profile figure \"%s\" was not written", path);
	cJSON_SetNumberValue(v, value);
	if (cJSON_IsString(note)) {
		char *n = xasprintf("%s; %s", note->valuestring, why);

		cJSON_SetValuestring(note, n);
		free(n);
	}
}

int profile_doc_read(const char *file, struct nb_profile_doc **out)
{
	char *text = NULL;
	cJSON *root;

	*out = NULL;
	if (nb_read_file(file, 1 << 22, &text, NULL))
		return -1;
	root = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return error("%s: not a JSON object", file);
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->root = root;
	return 0;
}

int profile_doc_has(const struct nb_profile_doc *d, const char *path)
{
	return figure_at(d, path) != NULL;
}

void profile_doc_take(struct nb_profile_doc *to, struct nb_profile_doc *from, const char *path)
{
	const char *dot = strrchr(path, '.'), *last = dot ? dot + 1 : path;
	char *parent = dot ? xstrndup(path, (size_t)(dot - path)) : NULL;
	cJSON *src = parent ? figure_at(from, parent) : from->root, *dst = to->root, *item;

	item = src ? cJSON_DetachItemFromObjectCaseSensitive(src, last) : NULL;
	if (item && parent) {
		dst = figure_at(to, parent);
		if (!dst)
			dst = cJSON_AddObjectToObject(to->root, parent);	/* one level: "sources" */
	}
	if (item) {
		cJSON_DeleteItemFromObjectCaseSensitive(dst, last);
		cJSON_AddItemToObject(dst, last, item);
	}
	free(parent);
}

int profile_doc_write(const struct nb_profile_doc *d, const char *file, struct nb_profile **out)
{
	char *text = cJSON_Print(d->root), *dir = xstrdup(file), *slash;
	int ret = -1;

	if (!text)
		die("out of memory");
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if (nb_mkdirs(dir))
			goto out;
	}
	if (nb_write_file_atomic(file, text, strlen(text)))
		goto out;
	ret = profile_load_file(file, 1, out);
out:
	cJSON_free(text);
	free(dir);
	return ret;
}
