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
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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

char *gp_clean(const char *text, size_t max)
{
	size_t len = strlen(text ? text : ""), cut = len;
	char *out;

	if (max > 3 && len > max) {
		cut = max - 3;
		/* Never leave half a UTF-8 sequence: back up over continuation bytes. */
		while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
			cut--;
	}
	out = xmalloc(cut + 4);
	for (size_t i = 0; i < cut; i++) {
		unsigned char ch = (unsigned char)text[i];

		if (ch < 0x20 || ch == 0x7f)
			ch = ' ';
		else if (ch == '"' || ch == '`')
			ch = '\'';
		else if (ch == '\\')
			ch = '/';
		out[i] = (char)ch;
	}
	if (cut < len)
		memcpy(out + cut, "...", 4);
	else
		out[cut] = '\0';
	return out;
}

void gp_quote(struct strbuf *sb, const char *text)
{
	char *clean = gp_clean(text, 0);

	sb_adds(sb, "'");
	for (const char *p = clean; *p; p++)
		sb_adds(sb, *p == '\'' ? "''" : (char[]){ *p, '\0' });
	sb_adds(sb, "'");
	free(clean);
}

void gp_datum(struct strbuf *sb, const char *text)
{
	char *clean = gp_clean(text, 0);

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

int gnuplot_run(const char *script, const char *out_path)
{
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

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(fdout, 1) < 0 || dup2(fderr, 2) < 0)
			_exit(127);
		execl(gnuplot, "gnuplot", gp, (char *)NULL);
		dprintf(2, "cannot run '%s': %s\n", gnuplot, strerror(errno));
		_exit(127);
	}
	close(fdout);
	close(fderr);
	fdout = fderr = -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			error("waiting for gnuplot: %s", strerror(errno));
			goto out;
		}
	}
	if (nb_read_file(errf, 1 << 20, &err, &errlen))
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		int n = gnuplot_error_line(err);

		msg = trim_message(err);
		if (WIFSIGNALED(status))
			error("gnuplot '%s' was killed by signal %d", gnuplot, WTERMSIG(status));
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
	if (nb_write_output(out_path, out, outlen))
		goto out;
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
