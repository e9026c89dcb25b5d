/* gnuplot: finding it, quoting for it, running it.  The only file that
 * spawns gnuplot. */
#include "util/output.h"
#include "report/gnuplot.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a chart may take: generous for the largest chart npubench draws
 * (seconds, and address space for cairo and its fonts). */
#define GNUPLOT_TIME_LIMIT 60
#define GNUPLOT_MEMORY_LIMIT ((rlim_t)2 << 30)

#define GNUPLOT_PACKAGE_HINT "install gnuplot (Debian and Ubuntu: apt install gnuplot-nox)"

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *gnuplot_find(void)
{
	const char *env = getenv("NPUBENCH_GNUPLOT"), *path = getenv("PATH");

	if (env && *env) {
		if (is_executable(env))
			return xstrdup(env);
		error("gnuplot '%s' (from NPUBENCH_GNUPLOT) is not an executable file: "
		      GNUPLOT_PACKAGE_HINT " or fix the variable", env);
		return NULL;
	}
	for (const char *p = path ? path : ""; *p;) {
		size_t len = strcspn(p, ":");

		/* Absolute folders only: never a gnuplot that happens to sit in
		 * the current folder. */
		if (len > 0 && p[0] == '/') {
			char *cand = xasprintf("%.*s/gnuplot", (int)len, p);

			if (is_executable(cand))
				return cand;
			free(cand);
		}
		p += len;
		if (*p == ':')
			p++;
	}
	if (NB_GNUPLOT_PATH[0] && is_executable(NB_GNUPLOT_PATH))
		return xstrdup(NB_GNUPLOT_PATH);
	error("gnuplot not found on PATH%s%s: 'npubench plot' draws with it; " GNUPLOT_PACKAGE_HINT,
	      NB_GNUPLOT_PATH[0] ? " nor at " : "", NB_GNUPLOT_PATH);
	return NULL;
}

/* Length of the valid UTF-8 sequence at P (of N bytes), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

char *gp_clean(const char *text, size_t max)
{
	size_t len = strlen(text ? text : ""), cut = len, w = 0;
	char *out;

	if (max > 3 && len > max) {
		cut = max - 3;
		/* Never leave half a UTF-8 sequence: back up over continuation bytes. */
		while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--;
	}
	out = xmalloc(cut + 4);
	for (size_t i = 0; i < cut;) {
		const unsigned char *p = (const unsigned char *)text + i;
		size_t n = utf8_len(p, cut - i);

		if (n == 0) {
			out[w++] = '?';	/* not UTF-8: an SVG or PDF could not hold it */
			i++;
		} else if (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) {
			out[w++] = ' ';
			i++;
		} else if (n == 2 && p[0] == 0xC2 && p[1] < 0xA0) {
			out[w++] = ' ';	/* a C1 control */
			i += 2;
		} else {
			memcpy(out + w, p, n);
			w += n;
			i += n;
		}
	}
	if (cut < len)
		memcpy(out + w, "...", 4);
	else
		out[w] = '\0';
	return out;
}

/* TEXT (cleaned) as a double-quoted literal in which only letters, digits
 * and harmless punctuation appear as themselves: quotes, backslashes,
 * backticks, '@', '$' and '%' are octal escapes, which gnuplot decodes after
 * it has looked for macros and command substitutions.  In a tic label, which
 * gnuplot passes through its number format, '%' is doubled as well. */
static void quote(struct strbuf *sb, const char *text, int format)
{
	char *clean = gp_clean(text, 0);

	int escaped = 0;

	sb_adds(sb, "\"");
	for (const unsigned char *p = (const unsigned char *)clean; *p; p++) {
		/* gnuplot reads every octal digit after a backslash: a digit 0-7
		 * right after an escape is escaped too. */
		int digit_after = escaped && *p >= '0' && *p <= '7';

		escaped = 1;
		if (!digit_after &&
		    (*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || strchr(" ,.:;_+-=/()[]{}<>!?#&*^~|'", *p))) {
			sb_add(sb, (const char *)p, 1);
			escaped = 0;
		} else {
			sb_addf(sb, *p == '%' && format ? "\\045\\045" : "\\%03o", *p);
		}
	}
	sb_adds(sb, "\"");
	free(clean);
}

void gp_quote(struct strbuf *sb, const char *text)
{
	quote(sb, text, 0);
}

void gp_quote_tic(struct strbuf *sb, const char *text)
{
	quote(sb, text, 1);
}

void gp_datum(struct strbuf *sb, const char *text)
{
	char *clean = gp_clean(text, 0);

	/* A data block has no escapes: what could end the column is replaced. */
	for (char *p = clean; *p; p++) {
		if (*p == '"' || *p == '`')
			*p = '\'';
		else if (*p == '\\')
			*p = '/';
	}
	sb_addf(sb, "\"%s\"", clean);
	free(clean);
}

int gnuplot_error_line(const char *message)
{
	const char *p = message;

	while ((p = strstr(p, "line ")) != NULL) {
		char *end;
		long n = strtol(p + 5, &end, 10);

		if (end != p + 5 && *end == ':' && n > 0 && n < 1000000)
			return (int)n;
		p += 5;
	}
	return 0;
}

/* Line N (1-based) of TEXT, without its newline (malloc'd), or NULL. */
static char *nth_line(const char *text, int n)
{
	const char *p = text;

	for (int i = 1; i < n && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p || !*p)
		return NULL;
	return xstrndup(p, strcspn(p, "\n"));
}

/* gnuplot's message, trimmed to its meaningful lines (the echo of the
 * offending command and the caret are dropped: the script line is quoted
 * separately). */
static char *trim_message(const char *err)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = err; *p;) {
		size_t len = strcspn(p, "\n");
		size_t k = 0;

		while (k < len && (p[k] == ' ' || p[k] == '^'))
			k++;
		if (k < len && strstr(p, "line ") && memchr(p, ':', len)) {
			const char *colon = p;

			/* Keep what follows '"FILE" line N: '. */
			for (size_t i = 0; i + 5 < len; i++)
				if (!strncmp(p + i, "line ", 5) && gnuplot_error_line(p + i)) {
					colon = memchr(p + i, ':', len - i);
					break;
				}
			if (colon != p) {
				colon++;
				while (*colon == ' ')
					colon++;
				if (sb.len)
					sb_adds(&sb, "; ");
				sb_add(&sb, colon, len - (size_t)(colon - p));
			}
		}
		p += len;
		if (*p == '\n')
			p++;
	}
	if (!sb.len) {
		/* No "line N:" message: the last non-empty line. */
		const char *last = NULL;

		for (const char *p = err; *p; p += strcspn(p, "\n"), p += *p == '\n') {
			if (p[strspn(p, " \t")] != '\n' && p[strspn(p, " \t")] != '\0')
				last = p;
		}
		if (last)
			sb_add(&sb, last, strcspn(last, "\n"));
	}
	return sb_detach(&sb);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Creates PATH exclusively (0600) and writes TEXT; -1 after reporting. */
static int write_new(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return error("cannot create '%s': %s", path, strerror(errno));
	if (write_all(fd, text, len) < 0 || close(fd) < 0) {
		int e = errno;

		close(fd);
		return error("cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

/* Seconds gnuplot may run: $NPUBENCH_GNUPLOT_TIMEOUT (1..86400), else
 * the default. */
static int time_limit(void)
{
	const char *env = getenv("NPUBENCH_GNUPLOT_TIMEOUT");
	int64_t v;

	if (env && *env) {
		if (nb_parse_i64(env, &v) == 0 && v >= 1 && v <= 86400)
			return (int)v;
		warning("NPUBENCH_GNUPLOT_TIMEOUT '%s' is not a number of seconds (1 to 86400): "
			"using %d", env, GNUPLOT_TIME_LIMIT);
	}
	return GNUPLOT_TIME_LIMIT;
}

/* Waits for PID at most LIMIT seconds, then kills it: -1 when it had to. */
static int wait_limited(pid_t pid, int limit, int *status)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	double waited = 0;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (waited >= limit) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&nap, NULL);
		waited += 0.01;
	}
}

int gnuplot_run(const char *script, const char *out_path)
{
	char *out = NULL;
	size_t len = 0;
	int ret = -1;

	if (gnuplot_capture(script, &out, &len) == 0 && nb_write_output(out_path, out, len) == 0)
		ret = 0;
	free(out);
	return ret;
}

int gnuplot_capture(const char *script, char **chart, size_t *chart_len)
{
	int limit = time_limit();
	const char *tmp = getenv("TMPDIR");
	char *gnuplot = NULL, *dir = NULL, *gp = NULL, *outf = NULL, *errf = NULL;
	char *out = NULL, *err = NULL, *msg = NULL, *line = NULL;
	size_t outlen = 0, errlen = 0;
	int ret = -1, status = 0, fdout = -1, fderr = -1;
	pid_t pid;

	if (!(gnuplot = gnuplot_find()))
		return -1;
	dir = xasprintf("%s/npubench-plot.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		error("cannot create a temporary folder '%s': %s", dir, strerror(errno));
		free(dir);
		dir = NULL;
		goto out;
	}
	gp = xasprintf("%s/chart.gp", dir);
	outf = xasprintf("%s/chart.out", dir);
	errf = xasprintf("%s/gnuplot.err", dir);
	if (write_new(gp, script, strlen(script)))
		goto out;
	fdout = open(outf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	fderr = open(errf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fdout < 0 || fderr < 0) {
		error("cannot create files in '%s': %s", dir, strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		error("cannot start gnuplot: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		struct rlimit mem = { GNUPLOT_MEMORY_LIMIT, GNUPLOT_MEMORY_LIMIT };
		struct rlimit cpu = { (rlim_t)limit, (rlim_t)limit + 1 };

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(fdout, 1) < 0 || dup2(fderr, 2) < 0)
			_exit(127);
		/* A chart never needs more: a script that does (a runaway
		 * format, a huge sample count) fails instead of taking the box. */
		setrlimit(RLIMIT_AS, &mem);
		setrlimit(RLIMIT_CPU, &cpu);
		execl(gnuplot, "gnuplot", gp, (char *)NULL);
		dprintf(2, "cannot run '%s': %s\n", gnuplot, strerror(errno));
		_exit(127);
	}
	close(fdout);
	close(fderr);
	fdout = fderr = -1;
	if (wait_limited(pid, limit, &status)) {
		error("gnuplot '%s' took longer than %d s and was stopped "
		      "(NPUBENCH_GNUPLOT_TIMEOUT sets the limit)", gnuplot, limit);
		goto out;
	}
	if (nb_read_file(errf, 1 << 20, &err, &errlen))
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int n = gnuplot_error_line(err);

		msg = trim_message(err);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
			error("gnuplot '%s' used more than %d s of processor time and was stopped",
			      gnuplot, limit);
		else if (WIFSIGNALED(status))
			error("gnuplot '%s' was killed by signal %d", gnuplot, WTERMSIG(status));
		else if (strstr(err, "out of memory"))
			error("gnuplot '%s' ran out of its %d MiB memory limit: %s", gnuplot,
			      (int)(GNUPLOT_MEMORY_LIMIT >> 20), *(msg) ? msg : "out of memory");
		else if (n > 0 && (line = nth_line(script, n)))
			error("gnuplot failed at script line %d: %s\n  %d | %s", n,
			      *msg ? msg : "error", n, line);
		else
			error("gnuplot '%s' failed (exit %d): %s", gnuplot, WEXITSTATUS(status),
			      *msg ? msg : "no message");
		goto out;
	}
	/* Warnings on success: passed on, one line each. */
	for (const char *p = err; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		size_t len = strcspn(p, "\n");

		if (len > 0 && p[strspn(p, " ^")] != '\n' && p[strspn(p, " ^")] != '\0')
			warning("gnuplot: %.*s", (int)len, p);
	}
	if (nb_read_file(outf, (size_t)1 << 30, &out, &outlen))
		goto out;
	*chart = out;
	*chart_len = outlen;
	out = NULL;
	ret = 0;
out:
	if (fdout >= 0)
		close(fdout);
	if (fderr >= 0)
		close(fderr);
	if (dir) {
		unlink(gp);
		unlink(outf);
		unlink(errf);
		if (rmdir(dir) < 0)
			warning("cannot remove the temporary folder '%s': %s", dir, strerror(errno));
	}
	free(line);
	free(msg);
	free(out);
	free(err);
	free(gp);
	free(outf);
	free(errf);
	free(dir);
	free(gnuplot);
	return ret;
}
