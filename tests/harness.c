/* The unit-test harness; see harness.h. */
#include "harness.h"

#include <ftw.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct harness_test {
	const char *name;
	harness_fn fn;
};

static struct harness_test tests[1024];
static size_t ntests;
static int current_failures;
harness_fn harness_after_each;
static char tmpdir[256];

void harness_register(const char *name, harness_fn fn)
{
	if (ntests == sizeof(tests) / sizeof(tests[0])) {
		fprintf(stderr, "harness: too many tests\n");
		abort();
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

bool harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	current_failures++;
	return false;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

const char *harness_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/smsgw-test-XXXXXX",
			 base ? base : "/tmp");
		if (!mkdtemp(tmpdir)) {
			perror("harness: mkdtemp");
			abort();
		}
	}
	return tmpdir;
}

const char *harness_write_file(const char *name, const char *text)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", harness_tmpdir(), name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

static void cleanup_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < ntests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		current_failures = 0;
		tests[i].fn();
		if (harness_after_each)
			harness_after_each();
		cleanup_tmpdir();
		if (current_failures) {
			printf("not ok - %s\n", tests[i].name);
			failed++;
		} else {
			printf("ok - %s\n", tests[i].name);
			passed++;
		}
	}
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

static const char *harness_root(void)
{
	const char *root = getenv("SMSGW_ROOT");

	return root && *root ? root : ".";
}

bool harness_capture(const char *name, char *out, size_t size)
{
	char pattern[1024];
	glob_t g;
	bool ok = false;

	snprintf(pattern, sizeof(pattern), "%s/drivers/*/captures/%s",
		 harness_root(), name);
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0)
		ok = snprintf(out, size, "%s", g.gl_pathv[0]) < (int)size;
	globfree(&g);
	if (!ok)
		snprintf(out, size, "%s/drivers/*/captures/%s", harness_root(),
			 name);
	return ok;
}

int harness_captures(void (*fn)(const char *path, const char *name,
				void *ud), void *ud)
{
	char pattern[1024];
	glob_t g;
	int n = 0;

	snprintf(pattern, sizeof(pattern), "%s/drivers/*/captures/*/*.at",
		 harness_root());
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *p = g.gl_pathv[i], *name = p + strlen(p);
		int slashes = 0;

		/* "<device>/<file>.at": after the second slash from the end. */
		while (name > p && (name[-1] != '/' || ++slashes < 2))
			name--;
		fn(p, name, ud);
		n++;
	}
	globfree(&g);
	return n;
}
