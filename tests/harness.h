/*
 * A small test harness: tests register themselves, every CHECK that fails is
 * reported with file and line, and the run prints TAP-style lines
 * ("ok - name" / "not ok - name") that tests/run counts.
 *
 *	TEST(gsm7_pack_basic)
 *	{
 *		CHECK_INT(gsm7_pack(...), 7);
 *	}
 *
 * A test program runs every test, or only those whose name contains argv[1].
 */
#ifndef SMSGW_TEST_HARNESS_H
#define SMSGW_TEST_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef void (*harness_fn)(void);

void harness_register(const char *name, harness_fn fn);
/* When set, runs after every test as part of it (its failed checks are
 * that test's): a check every test of a program owes. */
extern harness_fn harness_after_each;
/* Record a failed check; returns false so CHECK can be used as a condition. */
bool harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A fresh temporary directory for the current test, removed after the run. */
const char *harness_tmpdir(void);
/* Writes text to the file name in harness_tmpdir() and returns its path
 * (valid until the next call); aborts when it cannot. */
const char *harness_write_file(const char *name, const char *text);

/*
 * Captures live with their driver: drivers/<vendor>/captures/<device>/
 * *.at (a vendor is one folder). harness_capture() writes the path of
 * "<device>/<file>.at" (whichever driver holds it) into out and returns
 * true, false when no driver has it. harness_captures() calls fn with the
 * path and that name of every capture of every driver, in name order,
 * and returns how many; the tree is $SMSGW_ROOT (default ".").
 */
bool harness_capture(const char *name, char *out, size_t size);
int harness_captures(void (*fn)(const char *path, const char *name,
				void *ud), void *ud);

#define TEST(name)                                                       \
	static void test_##name(void);                                   \
	__attribute__((constructor)) static void register_##name(void)   \
	{                                                                \
		harness_register(#name, test_##name);                    \
	}                                                                \
	static void test_##name(void)

#define CHECK(cond)                                                      \
	((cond) ? true : harness_fail(__FILE__, __LINE__, "%s", #cond))

#define CHECK_INT(a, b)                                                  \
	({                                                               \
		long long a_ = (long long)(a), b_ = (long long)(b);      \
		a_ == b_ ? true                                          \
			 : harness_fail(__FILE__, __LINE__,              \
					"%s == %lld, expected %lld", #a, \
					a_, b_);                         \
	})

#define CHECK_STR(a, b)                                                  \
	({                                                               \
		const char *a_ = (a), *b_ = (b);                         \
		(a_ && b_ && strcmp(a_, b_) == 0)                        \
			? true                                           \
			: harness_fail(__FILE__, __LINE__,               \
				       "%s == \"%s\", expected \"%s\"",  \
				       #a, a_ ? a_ : "(null)",           \
				       b_ ? b_ : "(null)");              \
	})

#define CHECK_MEM(a, b, n)                                               \
	(memcmp((a), (b), (n)) == 0                                      \
		 ? true                                                  \
		 : harness_fail(__FILE__, __LINE__, "%s differs from %s", \
				#a, #b))

#endif
