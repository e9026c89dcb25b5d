/* The JSON builder of jsonw.h, over cJSON. */
#include "report/jsonw.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "report/report.h"
#include "util/util.h"

#define J(x) ((cJSON *)(x))
#define W(x) ((struct nb_json *)(x))

static struct nb_json *checked(cJSON *item)
{
	if (!item)
		die("out of memory building JSON");
	return W(item);
}

struct nb_json *json_object(void) { return checked(cJSON_CreateObject()); }
struct nb_json *json_array(void) { return checked(cJSON_CreateArray()); }
struct nb_json *json_number(double v) { return checked(cJSON_CreateNumber(v)); }
struct nb_json *json_bool(int v) { return checked(cJSON_CreateBool(v)); }
struct nb_json *json_null(void) { return checked(cJSON_CreateNull()); }

struct nb_json *json_string(const char *s)
{
	return s ? checked(cJSON_CreateString(s)) : NULL;
}

struct nb_json *json_raw(const char *text)
{
	cJSON *v = text ? cJSON_Parse(text) : NULL;

	return v ? W(v) : json_null();
}

struct nb_json *json_set(struct nb_json *o, const char *key, struct nb_json *item)
{
	if (item)
		cJSON_AddItemToObject(J(o), key, J(item));
	return item;
}

struct nb_json *json_push(struct nb_json *a, struct nb_json *item)
{
	if (item)
		cJSON_AddItemToArray(J(a), J(item));
	return item;
}

void json_set_str(struct nb_json *o, const char *key, const char *s)
{
	json_set(o, key, json_string(s));
}

void json_set_num(struct nb_json *o, const char *key, double v)
{
	json_set(o, key, json_number(v));
}

void json_set_num_or_null(struct nb_json *o, const char *key, double v, int present)
{
	json_set(o, key, present ? json_number(v) : json_null());
}

char *json_finish(struct nb_json *root, int pretty)
{
	char *text, *copy;

	if (pretty)
		return report_json_text(J(root));
	text = cJSON_PrintUnformatted(J(root));
	cJSON_Delete(J(root));
	if (!text)
		die("out of memory formatting JSON");
	copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

void json_free(struct nb_json *root)
{
	cJSON_Delete(J(root));
}

char *json_text_field(const char *text, const char *key)
{
	cJSON *root = text ? cJSON_Parse(text) : NULL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
	char *s = cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;

	cJSON_Delete(root);
	return s;
}
