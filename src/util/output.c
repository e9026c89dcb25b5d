/* Output files with shell-redirection semantics: see output.h. */
#include "util/output.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* The kernel's own limit on links followed while resolving one path. */
#define MAX_LINKS 40

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* PATH with every symbolic link along its last component followed (a
 * dangling link names the file to create, as with `>`).  malloc'd, or NULL
 * after reporting. */
static char *follow_links(const char *path)
{
	char *cur = xstrdup(path);

	for (int hops = 0; ; hops++) {
		struct stat st;
		char target[PATH_MAX];
		ssize_t n;

		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (hops >= MAX_LINKS) {
			error("cannot write '%s': too many levels of symbolic links", path);
			break;
		}
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0) {
			error("cannot read the link '%s': %s", cur, strerror(errno));
			break;
		}
		target[n] = '\0';
		if (target[0] == '/') {
			free(cur);
			cur = xstrdup(target);
		} else {
			char *slash = strrchr(cur, '/');
			char *next = slash ? xasprintf("%.*s/%s", (int)(slash - cur), cur, target)
					   : xstrdup(target);

			free(cur);
			cur = next;
		}
	}
	free(cur);
	return NULL;
}

/* Removes "BASE.tmp.PID.XXXXXX" files in DIR whose writer PID is gone: what
 * a writer killed mid-write left behind. */
static void remove_stale_temps(const char *dir, const char *base)
{
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		const char *p = e->d_name;
		char *end;
		long pid;

		if (strncmp(p, base, blen) || strncmp(p + blen, ".tmp.", 5))
			continue;
		pid = strtol(p + blen + 5, &end, 10);
		if (end == p + blen + 5 || *end != '.' || strlen(end + 1) != 6 || pid <= 0 ||
		    pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		{
			char *stale = xasprintf("%s/%s", dir, p);

			unlink(stale);
			free(stale);
		}
	}
	closedir(d);
}

/* Replaces (or creates) the regular file PATH atomically; ST describes what
 * is there now, or is NULL when nothing is. */
static int replace_file(const char *path, const struct stat *st, const char *data, size_t len)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
			  : xstrdup(".");
	const char *base = slash ? slash + 1 : path;
	char *tmp = xasprintf("%s.tmp.%ld.XXXXXX", path, (long)getpid());
	int fd = -1, ret = -1;

	remove_stale_temps(dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		error("cannot create a file beside '%s': %s", path, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || (fsync(fd) < 0 && errno != EINVAL)) {
		error("cannot write '%s': %s", tmp, strerror(errno));
		goto fail;
	}
	if (st) {
		/* The replaced file's owner and mode, as `>` would keep them; a
		 * chown we may not do is not an error when nothing changes. */
		if (fchown(fd, st->st_uid, st->st_gid) < 0 &&
		    (st->st_uid != geteuid() || st->st_gid != getegid())) {
			error("cannot keep the owner of '%s': %s", path, strerror(errno));
			goto fail;
		}
		fchmod(fd, st->st_mode & 07777);
	} else {
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (close(fd) < 0) {
		fd = -1;
		error("cannot write '%s': %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		error("cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto fail;
	}
	ret = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dir);
	return ret;
}

/* Writes into what is not a regular file (a device, FIFO or socket). */
static int write_into(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return error("cannot open '%s': %s", path, strerror(errno));
	if (write_all(fd, data, len) < 0) {
		int e = errno;

		close(fd);
		return error("cannot write '%s': %s", path, strerror(e));
	}
	if (close(fd) < 0)
		return error("cannot write '%s': %s", path, strerror(errno));
	return 0;
}

int nb_write_output(const char *path, const void *data, size_t len)
{
	struct stat st;
	char *real = NULL;
	int ret = -1;

	if (!path || !strcmp(path, "-")) {
		/* Straight to the descriptor: the bytes (a PNG, a CSV) are exact,
		 * never cleaned for a terminal. */
		if (fflush(stdout) != 0 || write_all(STDOUT_FILENO, data, len) < 0)
			return error("cannot write to standard output: %s", strerror(errno));
		return 0;
	}
	if (!*path)
		return error("empty output path");
	if (!(real = follow_links(path)))
		return -1;
	if (stat(real, &st) < 0) {
		if (errno != ENOENT) {
			error("cannot write '%s': %s", path, strerror(errno));
			goto out;
		}
		ret = replace_file(real, NULL, data, len);
	} else if (S_ISDIR(st.st_mode)) {
		error("cannot write '%s': it is a folder", path);
	} else if (S_ISREG(st.st_mode)) {
		ret = replace_file(real, &st, data, len);
	} else {
		ret = write_into(real, data, len);
	}
out:
	free(real);
	return ret;
}

int nb_write_file_atomic(const char *path, const void *data, size_t len)
{
	return nb_write_output(path, data, len);
}
