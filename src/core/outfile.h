/* outfile.h: the one way spacetime writes a file (--export, the terminal's `e`, --explore's
 * trace of a violation).
 *
 * What the target is decides how it is written:
 *   - a regular file, or a path that does not exist yet: the data goes to a temporary file
 *     beside it (".NAME.XXXXXX" in the same directory), which is fsync'd and renamed over the
 *     target at the end, so a reader sees the old file or the whole new one, never half. An
 *     existing file keeps its permission bits and, where we may, its owner and group; a new
 *     one gets 0666 less the umask, as any program's output would. A file we may not write
 *     is refused, even where its directory would let us replace it. Being a new file, it
 *     loses extended attributes and ACLs, and other hard links keep the old content;
 *   - a symbolic link is followed (through any chain of links) and its target is replaced as
 *     above: the link stays a link;
 *   - a character or block device, a FIFO or a socket is never replaced: it is opened and
 *     the data streams into it (--export /dev/null, a FIFO with a reader; opening a FIFO
 *     waits for its reader, see outfile_reader_wait). "-", /dev/stdout,
 *     /dev/fd/1 and /proc/self/fd/1 are standard output itself; /dev/stderr likewise;
 *   - a directory is refused: outfile_open fails with errno EISDIR, which the modes report as
 *     a usage error (exit 2). Any other failure to write is a runtime failure (exit 1).
 *
 * The temporaries are kept in a fixed table that a signal handler can walk: outfile_trap
 * installs handlers for the signals that end a run (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGPIPE) which unlink every open temporary and then die of the same signal, and ignores
 * SIGXFSZ so that a file past the size limit is a write error like a full disk; an atexit
 * handler unlinks them on exit() (out of memory). The terminal program handles
 * some of these signals in its loop and calls outfile_remove_temps from its own crash
 * handlers. */
#ifndef ST_OUTFILE_H
#define ST_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct outfile outfile;

/* Open PATH for writing. NULL and a message naming PATH in err on failure; errno is then
 * EISDIR when PATH is a directory and EINVAL when it is empty (bad usage: outfile_bad_usage),
 * something else for a runtime failure. */
outfile *outfile_open(const char *path, char *err, size_t errlen);
/* Append n bytes (buffered). 0, or -1 after a write error, which outfile_close reports;
 * once one write failed the rest are skipped. */
int outfile_write(outfile *f, const void *data, size_t n);
/* Finish: flush, and for a temporary fsync it and rename it over the target. Frees f.
 * 0, or -1 with a message (the temporary is removed, the target left as it was). */
int outfile_close(outfile *f, char *err, size_t errlen);
/* Give up: a temporary is removed and the target left as it was; a stream is closed. */
void outfile_discard(outfile *f);

/* Whether the errno of a failed outfile_open means the name itself was wrong (exit 2). */
bool outfile_bad_usage(int err);

/* Whether PATH names standard output ("-", /dev/stdout, /dev/fd/1, /proc/self/fd/1): a mode
 * then sends its own report elsewhere. */
bool outfile_is_stdout(const char *path);

/* How long opening a FIFO waits for a reader: ms < 0 (the default) as long as it takes, else
 * at most about ms milliseconds, then the open fails ("no process is reading the FIFO"). The
 * terminal program sets a bound: it cannot be interrupted while blocked in open(2). */
void outfile_reader_wait(int ms);

/* Unlink every temporary still open. Async-signal-safe (unlink on a fixed table). */
void outfile_remove_temps(void);
/* Install the handlers described above (signals already ignored stay ignored). main does
 * it for every mode; the terminal program then handles SIGINT, SIGTERM, SIGHUP and SIGQUIT in
 * its loop (an export there is synchronous: it finishes or fails before the loop sees them). */
void outfile_trap(void);

#endif
