/* The SQLite store.  The only module that includes sqlite3.h. */
#include "store/store.h"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "targets/hostinfo.h"
#include "util/rng.h"
#include "util/util.h"

/* 'NPUB': marks the file as ours, so another program's database is refused. */
#define NB_APPLICATION_ID 0x4e505542

struct nb_store {
	sqlite3 *db;
	char *path;
};

/* Forward migrations: migrations[i] takes user_version i to i + 1. */
static const char *const migrations[] = {
	/* 0 -> 1: runs, results, samples, profile snapshots. */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  started_at TEXT NOT NULL,"
	"  ended_at TEXT,"
	"  status TEXT NOT NULL CHECK (status IN ('running','complete','interrupted','failed')),"
	"  tool_version TEXT NOT NULL,"
	"  build_flags TEXT,"
	"  host_json TEXT,"
	"  hostname TEXT,"
	"  cmdline TEXT,"
	"  options_json TEXT,"
	"  tag TEXT,"
	"  seed INTEGER,"
	"  distribution TEXT,"
	"  pid INTEGER"
	");"
	"CREATE TABLE profile_snapshots ("
	"  id INTEGER PRIMARY KEY,"
	"  chip TEXT NOT NULL,"
	"  json TEXT NOT NULL UNIQUE"
	");"
	"CREATE TABLE results ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  kernel TEXT NOT NULL,"
	"  case_text TEXT NOT NULL,"
	"  params_json TEXT NOT NULL,"
	"  dtype TEXT,"
	"  target TEXT NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('measured','predicted')),"
	"  status TEXT NOT NULL,"
	"  message TEXT,"
	"  threads INTEGER,"
	"  impl TEXT,"
	"  n_samples INTEGER NOT NULL DEFAULT 0,"
	"  t_min REAL, t_max REAL, t_mean REAL, t_median REAL, t_sd REAL, t_mad REAL,"
	"  t_p5 REAL, t_p95 REAL, t_ci_lo REAL, t_ci_hi REAL, outliers INTEGER,"
	"  seconds REAL,"
	"  ops REAL, bytes REAL, actual_ops REAL, unit TEXT, throughput REAL,"
	"  verify_err REAL, verify_tol REAL, verify_what TEXT,"
	"  bound TEXT, util REAL, model_json TEXT,"
	"  profile_id INTEGER REFERENCES profile_snapshots(id),"
	"  flags TEXT,"
	"  created_at TEXT NOT NULL,"
	"  UNIQUE (run_id, seq)"
	");"
	"CREATE INDEX results_case ON results(case_text, target);"
	"CREATE TABLE samples ("
	"  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL,"
	"  seconds REAL NOT NULL,"
	"  PRIMARY KEY (result_id, idx)"
	") WITHOUT ROWID;",

	/* 1 -> 2: push bookkeeping and views for the sqlite3 shell. */
	"CREATE TABLE pushes ("
	"  id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	"  url TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  detail TEXT"
	");"
	"CREATE VIEW v_runs AS"
	"  SELECT r.id, r.started_at, r.ended_at, r.status, r.tag, r.hostname, r.tool_version,"
	"         (SELECT count(*) FROM results x WHERE x.run_id = r.id) AS results,"
	"         (SELECT count(*) FROM results x WHERE x.run_id = r.id AND x.status <> 'ok') AS not_ok,"
	"         r.cmdline"
	"  FROM runs r;"
	"CREATE VIEW v_results AS"
	"  SELECT x.run_id, r.started_at, r.tag, x.seq, x.kernel, x.case_text, x.dtype, x.target,"
	"         x.kind, x.status, x.threads, x.seconds, x.throughput, x.unit,"
	"         x.throughput / 1e12 AS tera_per_s, x.bound, x.util, x.verify_err, x.impl, x.n_samples"
	"  FROM results x JOIN runs r ON r.id = x.run_id;"
	"CREATE VIEW v_latest AS"
	"  SELECT * FROM v_results v"
	"  WHERE v.run_id = (SELECT max(y.run_id) FROM results y"
	"                    WHERE y.case_text = v.case_text AND y.target = v.target);",

	/* 2 -> 3: bytes including write-allocate traffic, beside the minimum. */
	"ALTER TABLE results ADD COLUMN bytes_wa REAL;",
};

static int nmigrations(void)
{
	return (int)NB_ARRAY_SIZE(migrations);
}

/* SQLite's "unable to open database file" says neither why nor where: a
 * new file in a folder we may not write is the common cause, so say that. */
static int cantopen_error(const char *path, const char *what, const char *msg)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret;

	if (slash)
		slash[slash == dir] = '\0';	/* "/x.db" lies in "/" */
	if (access(path, F_OK) != 0 && access(slash ? dir : ".", W_OK) != 0)
		ret = error("cannot create database '%s': folder '%s' is not writable (%s); "
			    "use --db to choose a writable file", path, slash ? dir : ".", strerror(errno));
	else
		ret = error("cannot open database '%s' (%s): %s", path, what, msg);
	free(dir);
	return ret;
}

/* Names the problem with the database in words a user can act on. */
static int db_error(struct nb_store *st, int rc, const char *what)
{
	const char *path = st ? st->path : "?";
	const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return error("database '%s' is locked by another process (%s); try again when it is done",
			     path, what);
	case SQLITE_READONLY:
		return error("database '%s' is read-only (%s); use --db to choose a writable file", path, what);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return error("database '%s' is corrupt or not a database (%s): %s; "
			     "move it aside or use --db", path, what, msg);
	case SQLITE_FULL:
		return error("database '%s': the disk is full (%s)", path, what);
	case SQLITE_CANTOPEN:
		return cantopen_error(path, what, msg);
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return error("database '%s': permission denied (%s)", path, what);
	}
	return error("database '%s': %s: %s", path, what, msg);
}

static int exec_sql(struct nb_store *st, const char *sql, const char *what)
{
	char *err = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &err);

	sqlite3_free(err);
	if (rc != SQLITE_OK)
		return db_error(st, rc, what);
	return 0;
}

static int prepare(struct nb_store *st, const char *sql, sqlite3_stmt **stmt)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL);

	if (rc != SQLITE_OK)
		return db_error(st, rc, "preparing a statement");
	return 0;
}

static int pragma_int(struct nb_store *st, const char *sql, int *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st, sql, &s))
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_error(st, rc, "reading the schema");
	}
	*out = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int store_schema_version(struct nb_store *st)
{
	int v = -1;

	pragma_int(st, "PRAGMA user_version", &v);
	return v;
}

/* Refuses a database that is not ours or is newer than this build, before
 * anything is written to it. */
static int check_ours(struct nb_store *st)
{
	int version, app, tables = 0;

	if (pragma_int(st, "PRAGMA user_version", &version) ||
	    pragma_int(st, "PRAGMA application_id", &app))
		return -1;
	if (app != 0 && app != NB_APPLICATION_ID)
		return error("'%s' is an SQLite database of another program (application id %#x); "
			     "use another --db", st->path, (unsigned)app);
	if (version > nmigrations())
		return error("database '%s' has schema version %d, newer than this npubench "
			     "understands (%d); upgrade npubench or use another --db",
			     st->path, version, nmigrations());
	if (app == 0) {
		if (pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables))
			return -1;
		if (tables > 0)
			return error("'%s' is an SQLite database of another program (it has tables "
				     "but no npubench schema); use another --db", st->path);
	}
	return 0;
}

/* Brings the schema to version TO, one transaction per step. */
static int migrate(struct nb_store *st, int to)
{
	int version;

	if (pragma_int(st, "PRAGMA user_version", &version))
		return -1;
	while (version < to) {
		char setv[128];

		if (exec_sql(st, "BEGIN IMMEDIATE", "starting a migration"))
			return -1;
		/* Another process may have migrated while we waited. */
		if (pragma_int(st, "PRAGMA user_version", &version)) {
			exec_sql(st, "ROLLBACK", "rolling back");
			return -1;
		}
		if (version >= to) {
			exec_sql(st, "COMMIT", "committing");
			break;
		}
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d; PRAGMA application_id = %d;",
			 version + 1, NB_APPLICATION_ID);
		if (exec_sql(st, migrations[version], "migrating the schema") ||
		    exec_sql(st, setv, "migrating the schema") ||
		    exec_sql(st, "COMMIT", "committing a migration")) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
		version++;
	}
	return 0;
}

static int process_alive(int64_t pid)
{
	/* Our own pid on a 'running' row is a reused pid: that run is dead. */
	char path[64], stat[256] = "";
	FILE *f;

	if (pid <= 0 || pid == (int64_t)getpid())
		return 0;
	/* A zombie (killed, its parent gone and nobody reaping yet: an MPI
	 * rank whose mpirun exited) answers kill(0) but is dead. */
	snprintf(path, sizeof(path), "/proc/%lld/stat", (long long)pid);
	if ((f = fopen(path, "r"))) {
		char *paren = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;

		fclose(f);
		if (paren && paren[1] == ' ' && paren[2] == 'Z')
			return 0;
	}
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

/* Runs left 'running' by a process of this host that no longer exists were
 * killed (kill -9, power loss): mark them interrupted. */
static void reap_dead_runs(struct nb_store *st)
{
	sqlite3_stmt *s = NULL, *u = NULL;

	if (prepare(st, "SELECT id, pid FROM runs WHERE status = 'running' AND hostname = ?", &s))
		return;
	if (prepare(st, "UPDATE runs SET status = 'interrupted', "
		    "ended_at = coalesce(ended_at, strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
		    "WHERE id = ? AND status = 'running'", &u)) {
		sqlite3_finalize(s);
		return;
	}
	sqlite3_bind_text(s, 1, hostinfo_hostname(), -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		if (process_alive(sqlite3_column_int64(s, 1)))
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(s, 0));
		sqlite3_step(u);
		sqlite3_reset(u);
	}
	sqlite3_finalize(s);
	sqlite3_finalize(u);
}

/* How long to wait for another process's lock: 15 s, or NPUBENCH_BUSY_TIMEOUT_MS. */
static int busy_timeout_ms(void)
{
	const char *v = getenv("NPUBENCH_BUSY_TIMEOUT_MS");
	int64_t ms;

	if (v && nb_parse_i64(v, &ms) == 0 && ms >= 0 && ms <= 3600000)
		return (int)ms;
	return 15000;
}

/* A read-only "file:" URI for PATH; immutable when the folder is not
 * writable (SQLite could not create the -shm file beside it). */
static char *readonly_uri(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int dir_writable;

	if (slash)
		*slash = '\0';
	dir_writable = access(slash ? (*dir ? dir : "/") : ".", W_OK) == 0;
	free(dir);
	sb_adds(&sb, "file:");
	for (const char *p = path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			sb_addf(&sb, "%%%02X", (unsigned char)*p);
		else
			sb_add(&sb, p, 1);
	}
	sb_adds(&sb, dir_writable ? "?mode=ro" : "?mode=ro&immutable=1");
	return sb_detach(&sb);
}

/* SQLite would create its journal beside whatever PATH names: a device or
 * FIFO must be refused before it is opened ("/dev/null-journal"). */
static int refuse_non_regular(const char *path)
{
	struct stat sb;

	if (!strcmp(path, ":memory:"))
		return 0;
	if (stat(path, &sb) < 0)
		return errno == ENOENT ? 0 : error("cannot open the database '%s': %s", path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return error("database '%s' is not a regular file", path);
	return 0;
}

static int open_at(const char *path, int flags, int to, struct nb_store **out)
{
	struct nb_store *st = xcalloc(1, sizeof(*st));
	int oflags, rc;

	*out = NULL;
	st->path = xstrdup(path);
	if (refuse_non_regular(path))
		goto fail;
	if (strcmp(path, ":memory:") && !(flags & NB_STORE_READONLY)) {
		char *dir = xstrdup(path), *slash = strrchr(dir, '/');

		if (slash && slash != dir) {
			*slash = '\0';
			if (nb_mkdirs(dir)) {
				free(dir);
				goto fail;
			}
		}
		free(dir);
	}
	/* A file we may not write is still readable: open it read-only, and
	 * immutable when its folder cannot take the WAL's shared-memory file,
	 * so listing, showing and exporting work; writing says read-only. */
	if (!(flags & NB_STORE_READONLY) && strcmp(path, ":memory:") &&
	    access(path, F_OK) == 0 && access(path, W_OK) != 0)
		flags |= NB_STORE_READONLY;
	if (flags & NB_STORE_READONLY) {
		char *uri = readonly_uri(path);

		rc = sqlite3_open_v2(uri, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
				     SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
	} else {
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
		rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK) {
		db_error(st, rc, "opening");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, busy_timeout_ms());
	/* Reading the header catches a file that is not a database at all. */
	if (exec_sql(st, "PRAGMA foreign_keys = ON", "opening"))
		goto fail;
	if (!(flags & NB_STORE_READONLY)) {
		int v;

		if (pragma_int(st, "PRAGMA user_version", &v) || check_ours(st))
			goto fail;
		if (strcmp(path, ":memory:") &&
		    exec_sql(st, "PRAGMA journal_mode = WAL", "switching to WAL"))
			goto fail;
		if (exec_sql(st, "PRAGMA synchronous = NORMAL", "opening"))
			goto fail;
		if (migrate(st, to))
			goto fail;
		if (to >= 1)
			reap_dead_runs(st);
	} else {
		int version;

		if (check_ours(st) || pragma_int(st, "PRAGMA user_version", &version))
			goto fail;
		if (version != nmigrations()) {
			error("database '%s' has schema version %d; open it writable once to migrate it",
			      path, version);
			goto fail;
		}
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int store_open(const char *path, int flags, struct nb_store **out)
{
	return open_at(path, flags, nmigrations(), out);
}

int store_open_at_version(const char *path, int to, struct nb_store **out)
{
	if (to < 0 || to > nmigrations())
		return error("no schema version %d", to);
	return open_at(path, 0, to, out);
}

void store_close(struct nb_store *st)
{
	if (!st)
		return;
	if (st->db)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *store_path(const struct nb_store *st)
{
	return st->path;
}

int store_integrity_check(struct nb_store *st)
{
	sqlite3_stmt *s = NULL;
	int ok = 0;

	if (prepare(st, "PRAGMA integrity_check", &s))
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		ok = !strcmp((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	return ok ? 0 : -1;
}

static char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static void bind_text_or_null(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* A random version-4 UUID. */
static void make_uuid(char out[37])
{
	struct nb_rng r;
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;

	if (f) {
		got = fread(b, 1, sizeof(b), f);
		fclose(f);
	}
	if (got != sizeof(b)) {
		rng_seed(&r, (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32), (uint64_t)clock());
		for (int i = 0; i < 16; i++)
			b[i] = (unsigned char)rng_next(&r);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

int store_run_begin(struct nb_store *st, struct nb_run *run)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	if (!run->uuid) {
		char u[37];

		make_uuid(u);
		run->uuid = xstrdup(u);
	}
	if (!run->started_at) {
		nb_iso8601_now(now, sizeof(now));
		run->started_at = xstrdup(now);
	}
	if (!run->status)
		run->status = xstrdup("running");
	if (prepare(st, "INSERT INTO runs (uuid, started_at, ended_at, status, tool_version, "
		    "build_flags, host_json, hostname, cmdline, options_json, tag, seed, "
		    "distribution, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s))
		return -1;
	bind_text_or_null(s, 1, run->uuid);
	bind_text_or_null(s, 2, run->started_at);
	bind_text_or_null(s, 3, run->ended_at);
	bind_text_or_null(s, 4, run->status);
	bind_text_or_null(s, 5, run->tool_version ? run->tool_version : PACKAGE_VERSION);
	bind_text_or_null(s, 6, run->build_flags);
	bind_text_or_null(s, 7, run->host_json);
	bind_text_or_null(s, 8, run->hostname);
	bind_text_or_null(s, 9, run->cmdline);
	bind_text_or_null(s, 10, run->options_json);
	bind_text_or_null(s, 11, run->tag);
	sqlite3_bind_int64(s, 12, run->seed);
	bind_text_or_null(s, 13, run->distribution);
	sqlite3_bind_int64(s, 14, run->pid);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "recording the run");
	run->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Marks the run ended at NOW with STATUS. */
static int run_finish_at(struct nb_store *st, int64_t run_id, const char *status, const char *now)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st, "UPDATE runs SET status = ?, ended_at = ? WHERE id = ?", &s))
		return -1;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, run_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "finishing the run");
	return 0;
}

int store_run_finish(struct nb_store *st, int64_t run_id, const char *status)
{
	char now[32];

	nb_iso8601_now(now, sizeof(now));
	return run_finish_at(st, run_id, status, now);
}

int store_run_end(struct nb_store *st, struct nb_run *run, const char *status)
{
	char now[32];

	nb_iso8601_now(now, sizeof(now));
	if (run_finish_at(st, run->id, status, now))
		return -1;
	free(run->status);
	free(run->ended_at);
	run->status = xstrdup(status);
	run->ended_at = xstrdup(now);
	return 0;
}

static void bind_double_or_null(sqlite3_stmt *s, int i, double v, int present)
{
	if (present)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* The id of the snapshot with this JSON, inserting it when new. */
static int snapshot_id(struct nb_store *st, const char *chip, const char *json, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st, "INSERT INTO profile_snapshots (chip, json) VALUES (?, ?) "
		    "ON CONFLICT(json) DO UPDATE SET chip = chip RETURNING id", &s))
		return -1;
	sqlite3_bind_text(s, 1, chip, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, json, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_error(st, rc, "storing a profile snapshot");
	return 0;
}

static int insert_result(struct nb_store *st, int64_t run_id, struct nb_result *r)
{
	sqlite3_stmt *s = NULL;
	int64_t prof = 0;
	int rc, i = 1, count = result_sample_count(r), has_stats = count > 0;
	char now[32];

	if (r->profile_json && snapshot_id(st, r->target, r->profile_json, &prof))
		return -1;
	if (!r->created_at) {
		nb_iso8601_now(now, sizeof(now));
		r->created_at = xstrdup(now);
	}
	if (prepare(st, "INSERT INTO results (run_id, seq, kernel, case_text, params_json, dtype, "
		    "target, kind, status, message, threads, impl, n_samples, t_min, t_max, t_mean, "
		    "t_median, t_sd, t_mad, t_p5, t_p95, t_ci_lo, t_ci_hi, outliers, seconds, ops, "
		    "bytes, actual_ops, unit, throughput, verify_err, verify_tol, verify_what, bound, "
		    "util, model_json, profile_id, flags, created_at, bytes_wa) VALUES "
		    "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &s))
		return -1;
	sqlite3_bind_int64(s, i++, run_id);
	sqlite3_bind_int(s, i++, r->seq);
	bind_text_or_null(s, i++, r->kernel);
	bind_text_or_null(s, i++, r->case_text);
	bind_text_or_null(s, i++, r->params_json ? r->params_json : "{}");
	bind_text_or_null(s, i++, r->dtype);
	bind_text_or_null(s, i++, r->target);
	bind_text_or_null(s, i++, result_kind_name(r->kind));
	bind_text_or_null(s, i++, result_status_name(r->status));
	bind_text_or_null(s, i++, r->message);
	sqlite3_bind_int(s, i++, r->threads);
	bind_text_or_null(s, i++, r->impl);
	sqlite3_bind_int(s, i++, count);
	bind_double_or_null(s, i++, r->stats.min, has_stats);
	bind_double_or_null(s, i++, r->stats.max, has_stats);
	bind_double_or_null(s, i++, r->stats.mean, has_stats);
	bind_double_or_null(s, i++, r->stats.median, has_stats);
	bind_double_or_null(s, i++, r->stats.sd, has_stats);
	bind_double_or_null(s, i++, r->stats.mad, has_stats);
	bind_double_or_null(s, i++, r->stats.p5, has_stats);
	bind_double_or_null(s, i++, r->stats.p95, has_stats);
	bind_double_or_null(s, i++, r->stats.ci_lo, has_stats);
	bind_double_or_null(s, i++, r->stats.ci_hi, has_stats);
	if (has_stats)
		sqlite3_bind_int(s, i++, r->stats.outliers);
	else
		sqlite3_bind_null(s, i++);
	bind_double_or_null(s, i++, r->seconds, r->seconds > 0);
	sqlite3_bind_double(s, i++, r->ops);
	sqlite3_bind_double(s, i++, r->bytes);
	sqlite3_bind_double(s, i++, r->actual_ops);
	bind_text_or_null(s, i++, r->unit);
	bind_double_or_null(s, i++, r->throughput, r->seconds > 0);
	bind_double_or_null(s, i++, r->verify_err, r->verify_what != NULL);
	bind_double_or_null(s, i++, r->verify_tol, r->verify_what != NULL);
	bind_text_or_null(s, i++, r->verify_what);
	bind_text_or_null(s, i++, r->bound);
	bind_double_or_null(s, i++, r->util, r->bound != NULL);
	bind_text_or_null(s, i++, r->model_json);
	if (prof)
		sqlite3_bind_int64(s, i++, prof);
	else
		sqlite3_bind_null(s, i++);
	bind_text_or_null(s, i++, r->flags);
	bind_text_or_null(s, i++, r->created_at);
	bind_double_or_null(s, i++, r->bytes_wa, r->bytes_wa > 0);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "storing a result");
	r->id = sqlite3_last_insert_rowid(st->db);
	r->run_id = run_id;
	if (r->nsamples > 0) {
		if (prepare(st, "INSERT INTO samples (result_id, idx, seconds) VALUES (?, ?, ?)", &s))
			return -1;
		for (int k = 0; k < r->nsamples; k++) {
			sqlite3_bind_int64(s, 1, r->id);
			sqlite3_bind_int(s, 2, k);
			sqlite3_bind_double(s, 3, r->samples[k]);
			rc = sqlite3_step(s);
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {
				sqlite3_finalize(s);
				return db_error(st, rc, "storing samples");
			}
		}
		sqlite3_finalize(s);
	}
	return 0;
}

int store_result_add(struct nb_store *st, int64_t run_id, struct nb_result *r)
{
	int rc;

	/* A finished measurement is worth waiting for: another writer (a long
	 * import, say) gets the busy timeout four times over before we give up. */
	for (int tries = 0;; tries++) {
		rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY || tries == 3)
			break;
	}
	if (rc != SQLITE_OK)
		return db_error(st, rc, "storing a result");
	if (insert_result(st, run_id, r)) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		r->id = 0;
		return -1;
	}
	if (exec_sql(st, "COMMIT", "committing a result")) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		r->id = 0;
		return -1;
	}
	return 0;
}

/* 1 when a run with UUID is stored, 0 when not, -1 on error. */
static int uuid_stored(struct nb_store *st, const char *uuid)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st, "SELECT 1 FROM runs WHERE uuid = ?", &s))
		return -1;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "looking up a run");
	return 0;
}

int store_import(struct nb_store *st, struct nb_run_import *runs, int n)
{
	if (exec_sql(st, "BEGIN IMMEDIATE", "importing"))
		return -1;
	for (int i = 0; i < n; i++) {
		struct nb_run_import *ri = &runs[i];
		int have = ri->run.uuid ? uuid_stored(st, ri->run.uuid) : 0;

		if (have < 0)
			goto fail;
		ri->skipped = have;
		if (have)
			continue;
		if (store_run_begin(st, &ri->run))
			goto fail;
		for (int k = 0; k < ri->nresults; k++)
			if (insert_result(st, ri->run.id, &ri->results[k]))
				goto fail;
	}
	if (exec_sql(st, "COMMIT", "committing the import"))
		goto fail;
	return 0;
fail:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int store_run_newest(struct nb_store *st, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*id = 0;
	if (prepare(st, "SELECT id FROM runs ORDER BY id DESC LIMIT 1", &s))
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(st, rc, "finding the newest run");
}

int store_run_resolve(struct nb_store *st, const char *spec, int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int64_t n;
	int rc, found = 0;

	if (!spec || !strcmp(spec, "last") || !strcmp(spec, "latest")) {
		if (prepare(st, "SELECT id FROM runs ORDER BY id DESC LIMIT 1", &s))
			return -1;
	} else if (strlen(spec) < 8 && nb_parse_i64(spec, &n) == 0 && n > 0) {
		if (prepare(st, "SELECT id FROM runs WHERE id = ?", &s))
			return -1;
		sqlite3_bind_int64(s, 1, n);
	} else {
		char *like = xasprintf("%s%%", spec);

		if (strlen(spec) < 4 || strspn(spec, "0123456789abcdef-") != strlen(spec)) {
			free(like);
			return error("'%s' is not a run: use a run id, a UUID (at least 4 characters) or 'last'",
				     spec);
		}
		if (prepare(st, "SELECT id FROM runs WHERE uuid LIKE ? LIMIT 2", &s)) {
			free(like);
			return -1;
		}
		sqlite3_bind_text(s, 1, like, -1, SQLITE_TRANSIENT);
		free(like);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		found++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "finding the run");
	if (found > 1)
		return error("run '%s' is ambiguous: give more of the UUID", spec);
	if (!found) {
		if (!spec || !strcmp(spec, "last") || !strcmp(spec, "latest"))
			return error("database '%s' holds no runs yet: try 'npubench run'", st->path);
		return error("no run '%s' in '%s' (see 'npubench list runs')", spec, st->path);
	}
	return 0;
}

#define RUN_COLUMNS "r.id, r.uuid, r.started_at, r.ended_at, r.status, r.tool_version, " \
	"r.build_flags, r.host_json, r.hostname, r.cmdline, r.options_json, r.tag, r.seed, " \
	"r.distribution, r.pid, " \
	"(SELECT count(*) FROM results x WHERE x.run_id = r.id), " \
	"(SELECT count(*) FROM results x WHERE x.run_id = r.id AND x.status = 'verify_failed')"

static void read_run(sqlite3_stmt *s, struct nb_run *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->uuid = col_text(s, 1);
	r->started_at = col_text(s, 2);
	r->ended_at = col_text(s, 3);
	r->status = col_text(s, 4);
	r->tool_version = col_text(s, 5);
	r->build_flags = col_text(s, 6);
	r->host_json = col_text(s, 7);
	r->hostname = col_text(s, 8);
	r->cmdline = col_text(s, 9);
	r->options_json = col_text(s, 10);
	r->tag = col_text(s, 11);
	r->seed = sqlite3_column_int64(s, 12);
	r->distribution = col_text(s, 13);
	r->pid = sqlite3_column_int64(s, 14);
	r->nresults = sqlite3_column_int(s, 15);
	r->nfailed = sqlite3_column_int(s, 16);
}

void run_release(struct nb_run *r)
{
	free(r->uuid);
	free(r->started_at);
	free(r->ended_at);
	free(r->status);
	free(r->tool_version);
	free(r->build_flags);
	free(r->host_json);
	free(r->hostname);
	free(r->cmdline);
	free(r->options_json);
	free(r->tag);
	free(r->distribution);
	memset(r, 0, sizeof(*r));
}

int store_run_get(struct nb_store *st, int64_t id, struct nb_run *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (prepare(st, "SELECT " RUN_COLUMNS " FROM runs r WHERE r.id = ?", &s))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_run(s, out);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return error("no run %lld in '%s'", (long long)id, st->path);
	if (rc != SQLITE_ROW)
		return db_error(st, rc, "reading a run");
	return 0;
}

int store_runs_list(struct nb_store *st, struct nb_run **runs, int *n)
{
	sqlite3_stmt *s = NULL;
	int rc, cap = 0;

	*runs = NULL;
	*n = 0;
	if (prepare(st, "SELECT " RUN_COLUMNS " FROM runs r ORDER BY r.id DESC", &s))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*runs = xrealloc(*runs, (size_t)cap * sizeof(**runs));
		}
		read_run(s, &(*runs)[(*n)++]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		for (int i = 0; i < *n; i++)
			run_release(&(*runs)[i]);
		free(*runs);
		*runs = NULL;
		*n = 0;
		return db_error(st, rc, "listing runs");
	}
	return 0;
}

static double col_double(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? 0 : sqlite3_column_double(s, i);
}

static void read_result(sqlite3_stmt *s, struct nb_result *r)
{
	char msg[256];
	char *text;
	int i = 0, st;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, i++);
	r->run_id = sqlite3_column_int64(s, i++);
	r->seq = sqlite3_column_int(s, i++);
	r->kernel = col_text(s, i++);
	r->case_text = col_text(s, i++);
	r->params_json = col_text(s, i++);
	r->dtype = col_text(s, i++);
	r->target = col_text(s, i++);
	text = col_text(s, i++);
	r->kind = text && !strcmp(text, "predicted") ? NB_PREDICTED : NB_MEASURED;
	free(text);
	text = col_text(s, i++);
	st = text ? result_status_parse(text) : -1;
	r->status = st < 0 ? NB_RES_ERROR : (enum nb_result_status)st;
	free(text);
	r->message = col_text(s, i++);
	r->threads = sqlite3_column_int(s, i++);
	r->impl = col_text(s, i++);
	r->nsamples = sqlite3_column_int(s, i++);
	r->stats.n = (size_t)r->nsamples;
	r->stats.min = col_double(s, i++);
	r->stats.max = col_double(s, i++);
	r->stats.mean = col_double(s, i++);
	r->stats.median = col_double(s, i++);
	r->stats.sd = col_double(s, i++);
	r->stats.mad = col_double(s, i++);
	r->stats.p5 = col_double(s, i++);
	r->stats.p95 = col_double(s, i++);
	r->stats.ci_lo = col_double(s, i++);
	r->stats.ci_hi = col_double(s, i++);
	r->stats.outliers = sqlite3_column_int(s, i++);
	r->seconds = col_double(s, i++);
	r->ops = col_double(s, i++);
	r->bytes = col_double(s, i++);
	r->actual_ops = col_double(s, i++);
	r->unit = col_text(s, i++);
	r->throughput = col_double(s, i++);
	r->verify_err = col_double(s, i++);
	r->verify_tol = col_double(s, i++);
	r->verify_what = col_text(s, i++);
	r->bound = col_text(s, i++);
	r->util = col_double(s, i++);
	r->model_json = col_text(s, i++);
	r->profile_json = col_text(s, i++);
	r->flags = col_text(s, i++);
	r->created_at = col_text(s, i++);
	r->bytes_wa = col_double(s, i++);
	/* The case, when this build still knows the kernel and its parameters. */
	if (r->case_text && case_parse(r->case_text, &r->kcase, msg, sizeof(msg)))
		r->kcase.kernel = NULL;
}

/* Results selected by TAIL (the SQL after FROM/JOIN, which may use ?1 for
 * IVAL and ?2 for TVAL), with their samples. */
static int results_select(struct nb_store *st, const char *tail, int64_t ival, const char *tval,
			  struct nb_result **rs, int *n)
{
	sqlite3_stmt *s = NULL, *smp = NULL;
	int rc, cap = 0;
	char *sql;

	*rs = NULL;
	*n = 0;
	sql = xasprintf("SELECT x.id, x.run_id, x.seq, x.kernel, x.case_text, x.params_json, x.dtype, "
		    "x.target, x.kind, x.status, x.message, x.threads, x.impl, x.n_samples, x.t_min, "
		    "x.t_max, x.t_mean, x.t_median, x.t_sd, x.t_mad, x.t_p5, x.t_p95, x.t_ci_lo, "
		    "x.t_ci_hi, x.outliers, x.seconds, x.ops, x.bytes, x.actual_ops, x.unit, "
		    "x.throughput, x.verify_err, x.verify_tol, x.verify_what, x.bound, x.util, "
		    "x.model_json, p.json, x.flags, x.created_at, x.bytes_wa FROM results x "
		    "LEFT JOIN profile_snapshots p ON p.id = x.profile_id %s", tail);
	rc = prepare(st, sql, &s);
	free(sql);
	if (rc)
		return -1;
	if (prepare(st, "SELECT seconds FROM samples WHERE result_id = ? ORDER BY idx", &smp)) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_bind_int64(s, 1, ival);
	if (tval)
		sqlite3_bind_text(s, 2, tval, -1, SQLITE_TRANSIENT);
	nb_quiet_errors++;	/* a kernel this build lacks is not an error here */
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct nb_result *r;
		int k = 0, src;

		if (*n == cap) {
			cap = cap ? 2 * cap : 32;
			*rs = xrealloc(*rs, (size_t)cap * sizeof(**rs));
		}
		r = &(*rs)[(*n)++];
		read_result(s, r);
		if (r->nsamples > 0) {
			r->samples = xcalloc((size_t)r->nsamples, sizeof(double));
			sqlite3_bind_int64(smp, 1, r->id);
			while ((src = sqlite3_step(smp)) == SQLITE_ROW && k < r->nsamples)
				r->samples[k++] = sqlite3_column_double(smp, 0);
			sqlite3_reset(smp);
			r->nsamples = k;
		}
	}
	nb_quiet_errors--;
	sqlite3_finalize(s);
	sqlite3_finalize(smp);
	if (rc != SQLITE_DONE) {
		results_free(*rs, *n);
		*rs = NULL;
		*n = 0;
		return db_error(st, rc, "reading results");
	}
	return 0;
}

int store_results_get(struct nb_store *st, int64_t run_id, struct nb_result **rs, int *n)
{
	return results_select(st, "WHERE x.run_id = ?1 ORDER BY x.seq", run_id, NULL, rs, n);
}

int store_results_latest(struct nb_store *st, const char *target, struct nb_result **rs, int *n)
{
	return results_select(st, "WHERE x.target = ?2 AND x.run_id = (SELECT max(y.run_id) "
			      "FROM results y WHERE y.case_text = x.case_text AND y.target = x.target) "
			      "ORDER BY x.run_id, x.seq", 0, target, rs, n);
}

void results_free(struct nb_result *rs, int n)
{
	for (int i = 0; i < n; i++)
		result_release(&rs[i]);
	free(rs);
}

int store_push_record(struct nb_store *st, int64_t run_id, const char *url,
		      const char *format, int ok, const char *detail)
{
	sqlite3_stmt *s = NULL;
	char now[32];
	int rc;

	nb_iso8601_now(now, sizeof(now));
	if (prepare(st, "INSERT INTO pushes (run_id, url, format, at, ok, detail) VALUES (?,?,?,?,?,?)", &s))
		return -1;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, ok ? 1 : 0);
	bind_text_or_null(s, 6, detail);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_error(st, rc, "recording a push");
	return 0;
}

int store_runs_pending_push(struct nb_store *st, const char *url, const char *format,
			    int64_t **ids, int *n)
{
	sqlite3_stmt *s = NULL;
	int rc, cap = 0;

	*ids = NULL;
	*n = 0;
	if (prepare(st, "SELECT r.id FROM runs r WHERE r.status IN ('complete','interrupted') "
		    "AND NOT EXISTS (SELECT 1 FROM pushes p WHERE p.run_id = r.id AND p.url = ? "
		    "AND p.format = ? AND p.ok = 1) ORDER BY r.id", &s))
		return -1;
	sqlite3_bind_text(s, 1, url, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, format, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*ids = xrealloc(*ids, (size_t)cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return db_error(st, rc, "listing runs to push");
	}
	return 0;
}
