/*
 * Spool files on disk: what the daemon refuses to open (symlinks, FIFOs,
 * directories, hard links, huge files), both passes over a real file, odd
 * names, and the atomic writer `smsgw send` uses.
 */
#include "harness.h"
#include "spool_file.h"
#include "spool_helpers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int dir_fd(const char *sub)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", harness_tmpdir(), sub);
	mkdir(path, 0700);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void put_file(int dfd, const char *name, const char *text)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0);
	CHECK_INT(write(fd, text, strlen(text)), strlen(text));
	close(fd);
}

TEST(spool_file_refuses_what_is_not_a_plain_file)
{
	int dfd = dir_fd("open");
	struct spool_error e;
	int fd;

	put_file(dfd, "ok", "To: +491721234567\n\nhi\n");
	put_file(dfd, "big",
		 "To: +491721234567\n\n0123456789012345678901234\n");
	put_file(dfd, "linked", "To: +491721234567\n\nhi\n");
	CHECK(linkat(dfd, "linked", dfd, "link2", 0) == 0);
	CHECK(symlinkat("ok", dfd, "symlink") == 0);
	CHECK(symlinkat("/etc/passwd", dfd, "passwd") == 0);
	CHECK(mkfifoat(dfd, "fifo", 0600) == 0);
	CHECK(mkdirat(dfd, "dir", 0700) == 0);

	fd = spool_file_open(dfd, "ok", 64, &e);
	CHECK(fd >= 0);
	close(fd);

	static const struct {
		const char *name;
		int rc;
		const char *reason;
	} v[] = {
		{ "symlink", -EBADMSG, "a symbolic link, not a regular file" },
		{ "passwd", -EBADMSG, "a symbolic link, not a regular file" },
		{ "fifo", -EBADMSG, "a FIFO, not a regular file" },
		{ "dir", -EBADMSG, "a directory, not a regular file" },
		{ "linked", -EBADMSG,
		  "2 hard links: a spool file must have exactly one" },
		{ "big", -EBADMSG,
		  "45 bytes: larger than max_file_size (40 bytes)" },
		{ "gone", -ENOENT, "No such file or directory" },
	};
	for (size_t i = 0; i < N(v); i++) {
		fd = spool_file_open(dfd, v[i].name, 40, &e);
		if (!CHECK_INT(fd, v[i].rc))
			printf("# %s\n", v[i].name);
		if (fd >= 0)
			close(fd);
		CHECK_STR(e.text, v[i].reason);
		if (fd == -EBADMSG)
			CHECK_INT(e.code, SPOOL_ERROR_FILE);
	}
	/* no limit */
	fd = spool_file_open(dfd, "big", 0, &e);
	CHECK(fd >= 0);
	close(fd);
	close(dfd);
}

static bool count(const struct spool_recipient *r, void *ud)
{
	(void)r;
	(*(size_t *)ud)++;
	return true;
}

static bool stop(const struct spool_recipient *r, void *ud)
{
	(void)r;
	(void)ud;
	return false;
}

TEST(spool_file_both_passes)
{
	int dfd = dir_fd("passes");
	struct spool_rules r;
	struct spool_parser *p;
	struct spool_error e;
	size_t n = 0;
	int fd;

	test_rules(&r);
	put_file(dfd, "f", "To: +491721234567, 01721234568\nTo: "
			   "+491721234567\n\nhi\n");
	fd = spool_file_open(dfd, "f", 0, &e);
	p = spool_parse_new(&r);
	CHECK_INT(spool_file_scan(fd, p, 0), 0);
	CHECK_INT(spool_parse_message(p)->recipients, 2);
	CHECK_INT(spool_file_recipients(fd, p, 0, count, &n), 0);
	CHECK_INT(n, 2);
	spool_parse_free(p);

	/* the callback stops pass 2 */
	p = spool_parse_new(&r);
	CHECK_INT(spool_file_scan(fd, p, 0), 0);
	CHECK_INT(spool_file_recipients(fd, p, 0, stop, NULL), -ECANCELED);
	spool_parse_free(p);

	/* the file changes between the passes */
	p = spool_parse_new(&r);
	CHECK_INT(spool_file_scan(fd, p, 0), 0);
	put_file(dfd, "f", "To: +491721234567\n\nhi\n");
	CHECK_INT(spool_file_recipients(fd, p, 0, count, &n), -EBADMSG);
	CHECK_INT(spool_parse_error(p)->code, SPOOL_ERROR_CHANGED);
	spool_parse_free(p);

	/* refused in pass 1, and grown past the limit */
	put_file(dfd, "f", "To: nobody\n\nhi\n");
	p = spool_parse_new(&r);
	CHECK_INT(spool_file_scan(fd, p, 0), -EBADMSG);
	CHECK_INT(spool_parse_error(p)->code, SPOOL_ERROR_RECIPIENT);
	spool_parse_free(p);
	p = spool_parse_new(&r);
	CHECK_INT(spool_file_scan(fd, p, 5), -EBADMSG);
	CHECK_STR(error_text(spool_parse_error(p)),
		  "it grew larger than max_file_size while being read");
	spool_parse_free(p);
	close(fd);
	close(dfd);
}

TEST(spool_file_names)
{
	static const struct {
		const char *name;
		enum spool_file_name want;
		const char *reason;
	} v[] = {
		{ "send-20261127T060000Z-42-0badf00d", SPOOL_FILE_NAME_OK },
		{ "msg.txt", SPOOL_FILE_NAME_OK },
		{ "A_b-c.9", SPOOL_FILE_NAME_OK },
		{ ".hidden", SPOOL_FILE_NAME_IGNORE },
		{ ".", SPOOL_FILE_NAME_IGNORE },
		{ "..", SPOOL_FILE_NAME_IGNORE },
		/* Ordinary names: spaces, shell characters, UTF-8 letters. */
		{ "-rf", SPOOL_FILE_NAME_OK },
		{ "a b", SPOOL_FILE_NAME_OK },
		{ "a$b", SPOOL_FILE_NAME_OK },
		{ "a@b", SPOOL_FILE_NAME_OK },
		{ "caf\xc3\xa9", SPOOL_FILE_NAME_OK },
		{ "\xe6\x97\xa5\xe6\x9c\xac.txt", SPOOL_FILE_NAME_OK },
		{ "", SPOOL_FILE_NAME_BAD, "a name must have 1 to 128 bytes" },
		{ "a\nb", SPOOL_FILE_NAME_BAD,
		  "control character 0x0a at offset 1" },
		{ "a\x7f", SPOOL_FILE_NAME_BAD,
		  "control character 0x7f at offset 1" },
		{ "caf\xe9", SPOOL_FILE_NAME_BAD,
		  "byte 0xe9 at offset 3 is not UTF-8" },
		{ "x\xc3", SPOOL_FILE_NAME_BAD,
		  "byte 0xc3 at offset 1 is not UTF-8" },
		{ "\xc2\x85", SPOOL_FILE_NAME_BAD,	/* C1 control NEL */
		  "byte 0xc2 at offset 0 is not UTF-8" },
		{ "\xc0\xaf", SPOOL_FILE_NAME_BAD,	/* overlong '/' */
		  "byte 0xc0 at offset 0 is not UTF-8" },
	};
	char err[128];

	for (size_t i = 0; i < N(v); i++) {
		err[0] = '\0';
		if (!CHECK_INT(spool_file_name_check(v[i].name, err,
						     sizeof(err)),
			       v[i].want))
			printf("# %s\n", v[i].name);
		if (v[i].reason)
			CHECK_STR(err, v[i].reason);
	}
}

TEST(spool_name_escape)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "plain name.txt", "plain name.txt" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		{ "bad\x1b[2Jname", "bad\\x1b[2Jname" },
		{ "q\"b\\s", "q\\x22b\\x5cs" },
		{ "caf\xe9", "caf\\xe9" },
	};
	char out[SPOOL_NAME_ESCAPED], tiny[6];

	for (size_t i = 0; i < N(v); i++) {
		spool_name_escape(v[i].in, out, sizeof(out));
		CHECK_STR(out, v[i].out);
	}
	spool_name_escape("\x01\x02\x03", tiny, sizeof(tiny));
	CHECK_STR(tiny, "\\x01");	/* cut short, never overrun */
}

static size_t count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

TEST(spool_file_submit_is_atomic_and_unique)
{
	static const char text[] = "To: +491721234567\n\nhello\n";
	char spool[512], path1[640], path2[640], err[256], buf[64], sub[600];
	struct stat st;
	const char *name;
	int fd;
	ssize_t n;

	/* The spool directory does not exist yet: it is created. */
	snprintf(spool, sizeof(spool), "%s/spool", harness_tmpdir());
	CHECK_INT(spool_file_submit(spool, "send", text, strlen(text), path1,
				    sizeof(path1), err, sizeof(err)), 0);
	CHECK_INT(spool_file_submit(spool, "send", text, strlen(text), path2,
				    sizeof(path2), err, sizeof(err)), 0);
	CHECK(strcmp(path1, path2) != 0);
	snprintf(sub, sizeof(sub), "%s/outgoing", spool);
	CHECK(strncmp(path1, sub, strlen(sub)) == 0);
	CHECK_INT(count_entries(sub), 2);
	snprintf(sub, sizeof(sub), "%s/tmp", spool);
	CHECK_INT(count_entries(sub), 0);

	name = strrchr(path1, '/') + 1;
	CHECK_INT(spool_file_name_check(name, err, sizeof(err)),
		  SPOOL_FILE_NAME_OK);
	CHECK(strncmp(name, "send-", 5) == 0);
	CHECK(stat(path1, &st) == 0);
	CHECK_INT(st.st_mode & 0777, 0640);
	fd = open(path1, O_RDONLY);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK_INT(n, strlen(text));
	CHECK_MEM(buf, text, strlen(text));
}

TEST(spool_file_submit_reports_failures)
{
	char path[256], err[256];

	CHECK_INT(spool_file_submit("/nonexistent/dir/spool", "send", "x", 1,
				    path, sizeof(path), err, sizeof(err)),
		  -ENOENT);
	CHECK_STR(err, "/nonexistent/dir/spool: No such file or directory");
}
