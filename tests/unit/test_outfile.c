/* test_outfile.c: unit tests of outfile (the one safe writer; src/core/outfile.h).
 *
 * Why: every file the program writes goes through it, and its promises are about what is on
 * disk afterwards, which tests/outputs.sh checks through the program. Here the API itself, in a
 * scratch folder: a new file appears only at close, whole; a failed or abandoned write leaves
 * the old file and no temporary; modes are kept; links are followed; a directory is EISDIR;
 * the table of temporaries that the signal handlers walk really names the open temporaries,
 * and removing them (what a handler does) leaves nothing; the table's bound is an error, not
 * an overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/outfile.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/st-outfile.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static const char *at(const char *name)
{
	static char p[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
	return p[k];
}

/* Entries in the folder (. and .. aside), and how many look like our temporaries. */
static int entries(int *temps)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	*temps = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			n++;
			if (e->d_name[0] == '.')
				(*temps)++;
		}
	closedir(d);
	return n;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void expect_text(const char *path, const char *want)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static outfile *open_ok(const char *path)
{
	char err[512];
	outfile *f = outfile_open(path, err, sizeof err);
	if (!f)
		fail_msg("outfile_open(%s): %s", path, err);
	return f;
}

static void test_new_file_appears_whole_at_close(void **state)
{
	(void)state;
	outfile *f = open_ok(at("a.json"));
	assert_int_equal(outfile_write(f, "hello ", 6), 0);
	int temps;
	/* while writing: only the temporary exists, the name does not yet */
	assert_int_equal(access(at("a.json"), F_OK), -1);
	assert_int_equal(entries(&temps), 1);
	assert_int_equal(temps, 1);
	assert_int_equal(outfile_write(f, "world", 5), 0);
	char err[512];
	assert_int_equal(outfile_close(f, err, sizeof err), 0);
	expect_text(at("a.json"), "hello world");
	assert_int_equal(entries(&temps), 1);
	assert_int_equal(temps, 0);
}

static void test_discard_keeps_the_old_file(void **state)
{
	(void)state;
	put(at("b.json"), "old", 0644);
	outfile *f = open_ok(at("b.json"));
	outfile_write(f, "new", 3);
	outfile_discard(f);
	expect_text(at("b.json"), "old");
	int temps;
	assert_int_equal(entries(&temps), 1);
	assert_int_equal(temps, 0);
}

static void test_mode_is_kept(void **state)
{
	(void)state;
	put(at("c.json"), "old", 0600);
	char err[512];
	outfile *f = open_ok(at("c.json"));
	outfile_write(f, "new", 3);
	assert_int_equal(outfile_close(f, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(at("c.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	expect_text(at("c.json"), "new");
	/* a new file: 0666 less the umask */
	mode_t um = umask(022);
	f = open_ok(at("c2.json"));
	assert_int_equal(outfile_close(f, err, sizeof err), 0);
	umask(um);
	assert_int_equal(stat(at("c2.json"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_symlink_target_is_replaced(void **state)
{
	(void)state;
	put(at("target"), "old", 0644);
	assert_int_equal(symlink("target", at("link")), 0);
	assert_int_equal(symlink("link", at("link2")), 0);
	char err[512];
	outfile *f = open_ok(at("link2"));
	outfile_write(f, "new", 3);
	assert_int_equal(outfile_close(f, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(lstat(at("link"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(at("link2"), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	expect_text(at("target"), "new");
	/* a loop of links is an error, not a hang */
	assert_int_equal(symlink("loop2", at("loop1")), 0);
	assert_int_equal(symlink("loop1", at("loop2")), 0);
	assert_null(outfile_open(at("loop1"), err, sizeof err));
	assert_non_null(strstr(err, "loop1"));
}

static void test_directory_is_eisdir(void **state)
{
	(void)state;
	char err[512];
	errno = 0;
	assert_null(outfile_open(dir, err, sizeof err));
	assert_int_equal(errno, EISDIR);
	assert_non_null(strstr(err, "is a directory"));
	errno = 0;
	assert_null(outfile_open(at("sub/"), err, sizeof err));
	assert_int_not_equal(errno, 0);
	/* a missing directory: a runtime failure naming the path */
	errno = 0;
	assert_null(outfile_open(at("nope/x.json"), err, sizeof err));
	assert_int_not_equal(errno, EISDIR);
	assert_non_null(strstr(err, "nope/x.json"));
}

/* As root, a mknod copy of a memory device in the folder: a broken writer must not replace the
 * machine's own /dev/null. Without root /dev is not writable, and the real one is used. */
static const char *device(const char *name, unsigned minor)
{
	static char real[2][32];
	if (geteuid() == 0) {
		assert_int_equal(mknod(at(name), S_IFCHR | 0666, makedev(1, minor)), 0);
		return at(name);
	}
	char *p = real[minor & 1];
	snprintf(p, sizeof real[0], "/dev/%s", name);
	return p;
}

static void test_device_is_streamed(void **state)
{
	(void)state;
	char err[512];
	const char *null = device("null", 3);
	outfile *f = open_ok(null);
	assert_int_equal(outfile_write(f, "x", 1), 0);
	assert_int_equal(outfile_close(f, err, sizeof err), 0);
	struct stat st;
	assert_int_equal(stat(null, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* a write error is reported at close with the file's name */
	const char *full = device("full", 7);
	f = open_ok(full);
	char big[8192] = {0};
	outfile_write(f, big, sizeof big);
	assert_int_equal(outfile_close(f, err, sizeof err), -1);
	assert_non_null(strstr(err, full));
	assert_int_equal(stat(full, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_true(outfile_is_stdout("-"));
	assert_true(outfile_is_stdout("/dev/stdout"));
	assert_true(outfile_is_stdout("/dev/fd/1"));
	assert_false(outfile_is_stdout("/dev/fd/12"));
	assert_false(outfile_is_stdout("1"));
	assert_false(outfile_is_stdout(NULL));
}

/* What a signal handler does: the open temporaries are named in the table and go. */
static void test_remove_temps_empties_the_folder(void **state)
{
	(void)state;
	put(at("d.json"), "old", 0644);
	outfile *f = open_ok(at("d.json"));
	outfile *g = open_ok(at("e.json"));
	outfile_write(f, "new", 3);
	int temps;
	assert_int_equal(entries(&temps), 3);
	assert_int_equal(temps, 2);
	outfile_remove_temps();
	assert_int_equal(entries(&temps), 1);
	assert_int_equal(temps, 0);
	expect_text(at("d.json"), "old");
	/* the rename now fails cleanly (the temporary is gone) and the old file stays */
	char err[512];
	assert_int_equal(outfile_close(f, err, sizeof err), -1);
	expect_text(at("d.json"), "old");
	outfile_discard(g);
}

static void test_table_bound_is_an_error(void **state)
{
	(void)state;
	outfile *open[32];
	int n = 0;
	char err[512], name[32];
	for (; n < 32; n++) {
		snprintf(name, sizeof name, "many%d", n);
		if (!(open[n] = outfile_open(at(name), err, sizeof err)))
			break;
	}
	assert_true(n > 0 && n < 32);
	assert_non_null(strstr(err, "too many"));
	for (int i = 0; i < n; i++)
		outfile_discard(open[i]);
	int temps;
	assert_int_equal(entries(&temps), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file_appears_whole_at_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_keeps_the_old_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_is_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_target_is_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_is_eisdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_is_streamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_temps_empties_the_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_bound_is_an_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
