/* outfile.c: writing a file whole or not at all, without breaking what the path names
 * (outfile.h says what each kind of target gets).
 *
 * The temporaries live in a fixed table of paths, not in the heap, because the one thing a
 * signal handler may do with them is unlink(2) each, and it must find them without calling
 * anything that allocates or locks. The table changes only with the fatal signals blocked,
 * so a handler never sees a half-written name or a temporary that has just been renamed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../base/mem.h"
#include "outfile.h"

#define OF_SLOTS 8          /* temporaries open at once; the program needs one */
#define OF_PATH 4096
#define OF_HOPS 40          /* symbolic links followed before giving up (as the kernel does) */

static struct {
	char path[OF_PATH];
	volatile sig_atomic_t used;
} of_temps[OF_SLOTS];

/* The signals that end a run without our say (the handlers unlink, then die of them).
 * SIGXFSZ (past the file-size limit) is not among them: it is ignored, so the write fails
 * with EFBIG and is reported and cleaned up like a full disk. */
static const int of_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
#define OF_NSIGS (sizeof of_sigs / sizeof of_sigs[0])

struct outfile {
	FILE *fp;
	char *name;         /* as the user gave it, for messages */
	char *final;        /* what the temporary is renamed onto (links followed) */
	int slot;           /* of_temps index, or -1 when streaming */
	bool shared;        /* fp is stdout or stderr: flushed, never closed */
	int err;            /* the first write error */
};

/* ---- the table of temporaries ---- */

void outfile_remove_temps(void)
{
	for (int i = 0; i < OF_SLOTS; i++)
		if (of_temps[i].used) {
			unlink(of_temps[i].path);
			of_temps[i].used = 0;
		}
}

static void of_block(sigset_t *old)
{
	sigset_t s;
	sigemptyset(&s);
	for (size_t i = 0; i < OF_NSIGS; i++)
		sigaddset(&s, of_sigs[i]);
	sigprocmask(SIG_BLOCK, &s, old);
}

static void of_unblock(const sigset_t *old) { sigprocmask(SIG_SETMASK, old, NULL); }

/* Remove slot's temporary (a failed or abandoned write). */
static void of_drop_temp(int slot)
{
	sigset_t old;
	of_block(&old);
	unlink(of_temps[slot].path);
	of_temps[slot].used = 0;
	of_unblock(&old);
}

static void of_on_signal(int sig)
{
	int saved = errno;
	outfile_remove_temps();
	/* Then die of the signal, as we would have without this handler. The default action is
	 * put back only now, not by SA_RESETHAND on entry: a second signal close behind the
	 * first (timeout(1) sends one to the process and one to its group) would otherwise find
	 * the default action in the instant before the handler runs, and kill us before the
	 * unlink. The signal is blocked in here, so the raise is delivered when we return. */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	errno = saved;
	raise(sig);
}

static void of_atexit(void) { outfile_remove_temps(); }

void outfile_trap(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = of_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < OF_NSIGS; i++)
		sigaddset(&sa.sa_mask, of_sigs[i]);
	for (size_t i = 0; i < OF_NSIGS; i++) {
		struct sigaction cur;
		/* nohup and background shells ignore some of these: keep it so */
		if (sigaction(of_sigs[i], NULL, &cur) == 0 && cur.sa_handler == SIG_IGN)
			continue;
		sigaction(of_sigs[i], &sa, NULL);
	}
	signal(SIGXFSZ, SIG_IGN);
}

/* ---- opening ---- */

static outfile *of_fail(outfile *f, int e, char *err, size_t errlen, const char *what)
{
	/* a refused directory is said in words already; the rest add the system's reason */
	bool why = e && e != EISDIR && e != EINVAL;
	snprintf(err, errlen, "%s%s%s%s%s", f->name, *f->name ? ": " : "", what, why ? ": " : "",
		 why ? strerror(e) : "");
	if (f->fp && !f->shared)
		fclose(f->fp);
	if (f->slot >= 0)
		of_drop_temp(f->slot);
	free(f->name);
	free(f->final);
	free(f);
	errno = e;
	return NULL;
}

/* The descriptor PATH names when it is one of the standard streams' aliases, or -1. */
static int of_fd_alias(const char *path)
{
	if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	const char *n = NULL;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		n = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		n = path + 14;
	if (!n || !*n || strspn(n, "0123456789") != strlen(n) || strlen(n) > 9)
		return -1;
	return atoi(n);
}

bool outfile_bad_usage(int err) { return err == EISDIR || err == EINVAL; }

bool outfile_is_stdout(const char *path) { return path && of_fd_alias(path) == STDOUT_FILENO; }

/* PATH with its last component's symbolic links followed (a chain, relative links read from
 * the link's directory). A dangling link gives the path it points at, to be created. NULL and
 * errno on a loop or an unreadable link. */
static char *of_follow(const char *path)
{
	char *p = st_strdup(path);
	for (int hop = 0;; hop++) {
		struct stat ls;
		if (lstat(p, &ls) != 0 || !S_ISLNK(ls.st_mode))
			return p;
		char buf[OF_PATH];
		ssize_t n = hop < OF_HOPS ? readlink(p, buf, sizeof buf) : -1;
		if (n < 0 || n >= (ssize_t)sizeof buf) {
			int e = hop >= OF_HOPS ? ELOOP : n < 0 ? errno : ENAMETOOLONG;
			free(p);
			errno = e;
			return NULL;
		}
		buf[n] = '\0';
		const char *slash = strrchr(p, '/');
		size_t dl = buf[0] == '/' || !slash ? 0 : (size_t)(slash - p) + 1;
		char *next = st_alloc(dl + (size_t)n + 1);
		memcpy(next, p, dl);
		memcpy(next + dl, buf, (size_t)n + 1);
		free(p);
		p = next;
	}
}

/* Stream into descriptor fd (standard output, a /dev/fd/N). */
static outfile *of_open_fd(outfile *f, int fd, char *err, size_t errlen)
{
	if (fd == STDOUT_FILENO || fd == STDERR_FILENO) {
		f->fp = fd == STDOUT_FILENO ? stdout : stderr;
		f->shared = true;
		return f;
	}
	int d = dup(fd);
	if (d < 0)
		return of_fail(f, errno, err, errlen, "cannot write");
	if (!(f->fp = fdopen(d, "w"))) {
		int e = errno;
		close(d);
		return of_fail(f, e, err, errlen, "cannot write");
	}
	return f;
}

static int of_reader_wait_ms = -1;

void outfile_reader_wait(int ms) { of_reader_wait_ms = ms; }

/* Open a FIFO for writing: as long as it takes for a reader (the default), or polling for one
 * for at most of_reader_wait_ms (the terminal program, which must not hang on a FIFO nobody
 * reads: its signals are handled in the loop this would block). */
static int of_open_fifo(const char *path)
{
	if (of_reader_wait_ms < 0)
		return open(path, O_WRONLY | O_NOCTTY);
	for (int waited = 0;; waited += 10) {
		int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0) {
			/* the writes themselves block as a pipe's do */
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
			return fd;
		}
		if (errno != ENXIO || waited >= of_reader_wait_ms)
			return -1;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* A device, FIFO or socket: never replaced, written into. */
static outfile *of_open_stream(outfile *f, const struct stat *st, char *err, size_t errlen)
{
	int fd = S_ISFIFO(st->st_mode) ? of_open_fifo(f->name) : open(f->name, O_WRONLY | O_NOCTTY);
	if (fd < 0 && S_ISFIFO(st->st_mode) && errno == ENXIO)
		return of_fail(f, 0, err, errlen, "no process is reading the FIFO");
	if (fd < 0)
		return of_fail(f, errno, err, errlen, "cannot open for writing");
	if (!(f->fp = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		return of_fail(f, e, err, errlen, "cannot write");
	}
	return f;
}

/* A regular file or a new path: a temporary beside the (link-followed) target. old is the
 * target's stat when it exists, else NULL. */
static outfile *of_open_temp(outfile *f, const struct stat *old, char *err, size_t errlen)
{
	if (!(f->final = of_follow(f->name)))
		return of_fail(f, errno, err, errlen, "cannot follow the link");
	const char *slash = strrchr(f->final, '/');
	size_t dl = slash ? (size_t)(slash - f->final) + 1 : 0;
	const char *base = f->final + dl;
	if (!*base)
		return of_fail(f, EISDIR, err, errlen, "names a directory, expected a file name");
	if (strlen(f->final) + 9 > OF_PATH)
		return of_fail(f, ENAMETOOLONG, err, errlen, "cannot write");
	int slot = 0;
	while (slot < OF_SLOTS && of_temps[slot].used)
		slot++;
	if (slot == OF_SLOTS)
		return of_fail(f, EMFILE, err, errlen, "too many outputs open at once");

	sigset_t mask;
	of_block(&mask);
	snprintf(of_temps[slot].path, OF_PATH, "%.*s.%s.XXXXXX", (int)dl, f->final, base);
	int fd = mkstemp(of_temps[slot].path);
	int e = errno;
	if (fd >= 0) {
		of_temps[slot].used = 1;
		f->slot = slot;
	}
	of_unblock(&mask);
	if (fd < 0)
		return of_fail(f, e, err, errlen, "cannot create a temporary file beside it");

	/* mkstemp makes 0600: an existing file keeps its mode (and owner where we may: chown
	 * first, it may clear set-id bits), a new one is an ordinary file under the umask */
	mode_t mode;
	if (old) {
		if (fchown(fd, old->st_uid, old->st_gid) != 0 && fchown(fd, (uid_t)-1, old->st_gid) != 0) {
			/* not ours to give away: the new file is ours, as an editor's save makes it */
		}
		mode = old->st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (fchmod(fd, mode) != 0 || !(f->fp = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		return of_fail(f, e, err, errlen, "cannot write");
	}
	return f;
}

outfile *outfile_open(const char *path, char *err, size_t errlen)
{
	static bool registered;
	if (!registered) {
		atexit(of_atexit);
		registered = true;
	}
	outfile *f = st_zalloc(1, sizeof *f);
	f->name = st_strdup(path);
	f->slot = -1;
	if (!*path)
		return of_fail(f, EINVAL, err, errlen, "an empty file name");
	int fd = of_fd_alias(path);
	if (fd >= 0)
		return of_open_fd(f, fd, err, errlen);
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return of_fail(f, errno, err, errlen, "cannot write");
		return of_open_temp(f, NULL, err, errlen);
	}
	if (S_ISDIR(st.st_mode))
		return of_fail(f, EISDIR, err, errlen, "is a directory, expected a file name");
	if (!S_ISREG(st.st_mode))
		return of_open_stream(f, &st, err, errlen);
	/* a file we may not write is not ours to replace, though its directory would let us */
	if (access(path, W_OK) != 0)
		return of_fail(f, errno, err, errlen, "cannot write");
	return of_open_temp(f, &st, err, errlen);
}

/* ---- writing and closing ---- */

int outfile_write(outfile *f, const void *data, size_t n)
{
	if (f->err)
		return -1;
	if (n && fwrite(data, 1, n, f->fp) != n) {
		f->err = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static void of_free(outfile *f)
{
	free(f->name);
	free(f->final);
	free(f);
}

/* After the rename, the directory entry itself: without this a crash can lose the new name. */
static void of_sync_dir(const char *final)
{
	const char *slash = strrchr(final, '/');
	char dir[OF_PATH];
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == final ? 1 : (int)(slash - final), final);
	int fd = open(dir, O_RDONLY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int outfile_close(outfile *f, char *err, size_t errlen)
{
	int e = f->err;
	const char *what = "write failed";
	errno = 0;
	if (fflush(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	if (ferror(f->fp) && !e)
		e = EIO;
	if (f->shared) {
		/* the report of this failure is ours: main's last check of stdout need not repeat it */
		clearerr(f->fp);
	} else {
		/* a device or FIFO has nothing to sync (EINVAL): only a temporary must reach disk
		 * before it takes the real name, so after a crash the file is whole or absent */
		if (!e && f->slot >= 0 && fsync(fileno(f->fp)) != 0)
			e = errno;
		if (fclose(f->fp) != 0 && !e)
			e = errno ? errno : EIO;
	}
	f->fp = NULL;
	if (f->slot >= 0) {
		if (!e) {
			sigset_t mask;
			of_block(&mask);
			if (rename(of_temps[f->slot].path, f->final) != 0) {
				e = errno;
				what = "cannot rename into place";
			} else {
				of_temps[f->slot].used = 0;
			}
			of_unblock(&mask);
			if (!e)
				of_sync_dir(f->final);
		}
		if (e)
			of_drop_temp(f->slot);
	}
	if (e)
		snprintf(err, errlen, "%s: %s: %s",
			 outfile_is_stdout(f->name) ? "standard output" : f->name, what, strerror(e));
	of_free(f);
	return e ? -1 : 0;
}

void outfile_discard(outfile *f)
{
	if (!f->shared)
		fclose(f->fp);
	else
		fflush(f->fp);
	if (f->slot >= 0)
		of_drop_temp(f->slot);
	of_free(f);
}
