/* Load from others while measuring: CPU time on our CPUs that was not ours,
 * and the other npubench measurements registered at the same moment. */
#define _GNU_SOURCE
#include "util/load.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/timer.h"
#include "util/util.h"

#define MAX_CPUS 4096

int load_parse_stat(const char *text, const unsigned char *cpus, int ncpus, double *ticks)
{
	int lines = 0;

	*ticks = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long v[8] = { 0 };
		int cpu, got;

		if (strncmp(p, "cpu", 3) || p[3] < '0' || p[3] > '9')
			continue;
		got = sscanf(p, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0], &v[1],
			     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		if (got < 5 || cpu < 0)
			continue;
		if (cpus && (cpu >= ncpus || !(cpus[cpu / 8] & (1u << (cpu % 8)))))
			continue;
		/* user nice system idle iowait irq softirq steal: all but idle
		 * and iowait; steal is another guest on our virtual CPU. */
		*ticks += (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]);
		lines++;
	}
	return lines ? lines : -1;
}

/* The CPUs this process may run on, as bits; NULL when unknown. */
static const unsigned char *our_cpus(void)
{
	static unsigned char bits[MAX_CPUS / 8];
	static int state;	/* 0 not asked, 1 known, -1 unknown */
	cpu_set_t set;

	if (state == 0) {
		state = -1;
		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			for (int i = 0; i < CPU_SETSIZE && i < MAX_CPUS; i++)
				if (CPU_ISSET(i, &set))
					bits[i / 8] |= (unsigned char)(1u << (i % 8));
			state = 1;
		}
	}
	return state > 0 ? bits : NULL;
}

void load_snap(struct nb_load_snap *s)
{
	static long hz;
	struct rusage ru;
	char buf[65536];
	double ticks;
	ssize_t len;
	int fd;

	memset(s, 0, sizeof(*s));
	if (!hz)
		hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
	s->t = timer_now();
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		s->self = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 +
			  (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec * 1e-6;
	if ((fd = open("/proc/stat", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = '\0';
	if (load_parse_stat(buf, our_cpus(), MAX_CPUS, &ticks) < 0)
		return;
	s->busy = ticks / (double)hz;
	s->ok = 1;
}

double load_others(const struct nb_load_snap *a, const struct nb_load_snap *b)
{
	double dt = b->t - a->t, others;

	if (!a->ok || !b->ok || dt < NB_LOAD_MIN_INTERVAL)
		return -1;
	others = ((b->busy - a->busy) - (b->self - a->self)) / dt;
	return others > 0 ? others : 0;
}

double load_now(double seconds)
{
	struct nb_load_snap a, b;
	struct timespec ts;

	if (seconds < NB_LOAD_MIN_INTERVAL)
		seconds = NB_LOAD_MIN_INTERVAL;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	load_snap(&a);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	load_snap(&b);
	return load_others(&a, &b);
}

int load_disturbs(double others, int threads, int ncpus)
{
	int free_cpus = ncpus > threads ? ncpus - threads : 0;

	return others >= 0 && others > free_cpus + NB_LOAD_MARGIN_CPUS;
}

/* Registration: a file named after the pid, locked for as long as the
 * process measures.  A lock dies with its process, so a file whose lock can
 * be taken is stale and is removed by whoever finds it. */

static int active_fd = -1;
static char *active_path;

const char *active_dir(void)
{
	const char *d = getenv("NPUBENCH_ACTIVE_DIR");

	return d && *d ? d : "/tmp/npubench-active";
}

int active_register(const char *what)
{
	const char *dir = active_dir();
	char *text = NULL, *tmp = NULL;
	int fd = -1;

	if (active_fd >= 0)
		return 0;
	/* Shared by every user, like /tmp itself: sticky and writable by all. */
	if (mkdir(dir, 01777) == 0)
		chmod(dir, 01777);
	else if (errno != EEXIST)
		return -1;
	/* Locked under a name scanners skip, then renamed into place: a
	 * scanner never sees it unlocked and takes it for stale. */
	tmp = xasprintf("%s/.%ld", dir, (long)getpid());
	active_path = xasprintf("%s/%ld", dir, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB))
		goto fail;
	text = xasprintf("%s\n", what ? what : "npubench");
	if (write(fd, text, strlen(text)) < 0 || rename(tmp, active_path))
		goto fail;
	free(text);
	free(tmp);
	active_fd = fd;
	return 0;
fail:
	if (fd >= 0) {
		unlink(tmp);
		close(fd);
	}
	free(text);
	free(tmp);
	free(active_path);
	active_path = NULL;
	return -1;
}

void active_unregister(void)
{
	if (active_fd < 0)
		return;
	unlink(active_path);
	close(active_fd);
	active_fd = -1;
	free(active_path);
	active_path = NULL;
}

int active_others(char *desc, size_t n)
{
	const char *dir = active_dir();
	struct dirent *e;
	DIR *d = opendir(dir);
	int count = 0;

	if (n)
		desc[0] = '\0';
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *path, *nl;
		char text[160];
		ssize_t len;
		int fd;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || atol(e->d_name) == (long)getpid())
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			free(path);
			continue;
		}
		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			unlink(path);	/* its process is gone */
		} else if (errno == EWOULDBLOCK) {
			if (count++ == 0 && n) {
				len = read(fd, text, sizeof(text) - 1);
				text[len > 0 ? len : 0] = '\0';
				if ((nl = strchr(text, '\n')))
					*nl = '\0';
				snprintf(desc, n, "pid %s: %s", e->d_name, text[0] ? text : "npubench");
			}
		}
		close(fd);
		free(path);
	}
	closedir(d);
	return count;
}
