/* Building JSON documents without the JSON library: commands describe the
 * tree, the report module (the one place cJSON is used for writing) prints
 * it with exact numbers. */
#ifndef NB_JSONW_H
#define NB_JSONW_H

struct nb_json;

struct nb_json *json_object(void);
struct nb_json *json_array(void);
/* A string; NULL for NULL, which json_set and json_push then leave out. */
struct nb_json *json_string(const char *s);
struct nb_json *json_number(double v);
struct nb_json *json_bool(int v);
struct nb_json *json_null(void);
/* TEXT parsed as JSON (a stored snapshot); null when TEXT is NULL or bad. */
struct nb_json *json_raw(const char *text);

/* Adds ITEM to object O under KEY, or to array A; returns ITEM. */
struct nb_json *json_set(struct nb_json *o, const char *key, struct nb_json *item);
struct nb_json *json_push(struct nb_json *a, struct nb_json *item);
/* Shorthands for json_set(O, KEY, json_string(S)) and friends. */
void json_set_str(struct nb_json *o, const char *key, const char *s);
void json_set_num(struct nb_json *o, const char *key, double v);
/* A number, or null when !PRESENT. */
void json_set_num_or_null(struct nb_json *o, const char *key, double v, int present);

/* The string member KEY of the JSON object in TEXT (a stored host
 * description), malloc'd; NULL when TEXT, KEY or a string value is missing. */
char *json_text_field(const char *text, const char *key);

/* The document as indented (PRETTY) or compact text, malloc'd; ROOT is freed. */
char *json_finish(struct nb_json *root, int pretty);
void json_free(struct nb_json *root);

#endif
