/*
 * A spool file with 100,000 personalised recipients (doc/contract.md §4), read
 * the way the daemon reads it: fed in 64 KiB chunks, twice, never held in
 * memory. The file is made on the fly, so the test holds none of it
 * either, and the parser's heap is measured while it works.
 */
#include "harness.h"
#include "spool_helpers.h"

#include <malloc.h>
#include <stdlib.h>

#define RECIPIENTS 100000
#define DUP_EVERY 100		/* a repeat after every 100th recipient */
#define CHUNK 65536

/* Heap in use now. Reads 0 under ASan, whose allocator glibc cannot see. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	/* Large blocks (the number set) are mmap'd: hblkhd. */
	return mi.uordblks + mi.hblkhd;
}

struct feeder {
	char buf[CHUNK];
	size_t len;
	struct spool_parser *p;
	bool ok;
	size_t bytes;
};

static void put(struct feeder *f, const char *s, size_t n)
{
	if (f->len + n > sizeof(f->buf)) {
		f->ok = f->ok && spool_parse_feed(f->p, f->buf, f->len);
		f->len = 0;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->bytes += n;
}

static void put_str(struct feeder *f, const char *s)
{
	put(f, s, strlen(s));
}

static int number_of(int i, char *out, size_t size)
{
	return snprintf(out, size, "+1555%07d", i);
}

/* The whole file, To: lines or CSV rows, in order. */
static void generate(struct feeder *f, bool csv)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "Campaign: big\nPriority: low\n%s",
		     csv ? "Recipients: csv\n\n" : "");
	put(f, line, (size_t)n);
	if (csv)
		put_str(f, "Dear {{name}}, your code is {{code}}.\n--- "
			   "recipients ---\nnumber,name,code,note\n");
	for (int i = 0; i < RECIPIENTS; i++) {
		int copies = i % DUP_EVERY == DUP_EVERY - 1 ? 2 : 1;

		for (int rep = 0; rep < copies; rep++) {
			char num[NUMBER_MAX];

			number_of(i, num, sizeof(num));
			n = csv ? snprintf(line, sizeof(line),
					   "%s,\"Person %d, the %s\",C%08dX,"
					   "padding for a longer line\n",
					   num, i, rep ? "repeat" : "first", i)
				: snprintf(line, sizeof(line),
					   "To: %s; name=\"Person %d, the "
					   "%s\"; code=C%08dX; note=padding "
					   "to make the line longer\n",
					   num, i, rep ? "repeat" : "first", i);
			put(f, line, (size_t)n);
		}
		if (!csv && i == RECIPIENTS - 1)
			put_str(f, "\nDear {{name}}, your code is {{code}}.\n");
	}
	f->ok = f->ok && spool_parse_feed(f->p, f->buf, f->len);
	f->len = 0;
}

struct seen {
	size_t n;
	size_t heap_peak;
	bool in_order;
	bool bodies_ok;
};

static bool check_rcpt(const struct spool_recipient *r, void *ud)
{
	struct seen *s = ud;
	char num[NUMBER_MAX], body[128];
	size_t heap;

	number_of((int)s->n, num, sizeof(num));
	if (r->index != s->n || strcmp(r->number, num) != 0)
		s->in_order = false;
	/* Every recipient gets its own first values, never the repeat's. */
	snprintf(body, sizeof(body),
		 "Dear Person %zu, the first, your code is C%08zuX.", s->n,
		 s->n);
	if (strcmp(r->body, body) != 0)
		s->bodies_ok = false;
	if (s->n % 1000 == 0) {
		heap = heap_in_use();
		if (heap > s->heap_peak)
			s->heap_peak = heap;
	}
	s->n++;
	return true;
}

static void run(bool csv)
{
	struct spool_rules r;
	struct feeder f = { .ok = true };
	struct seen s = { .in_order = true, .bodies_ok = true };
	const struct spool_message *m;
	size_t before = heap_in_use(), after_pass1;

	test_rules(&r);
	f.p = spool_parse_new(&r);
	generate(&f, csv);
	if (!CHECK(f.ok && spool_parse_finish(f.p))) {
		printf("# %s\n", error_text(spool_parse_error(f.p)));
		spool_parse_free(f.p);
		return;
	}
	after_pass1 = heap_in_use();
	m = spool_parse_message(f.p);
	CHECK_INT(m->recipients, RECIPIENTS);
	CHECK_INT(m->duplicates, RECIPIENTS / DUP_EVERY);
	CHECK_INT(m->kind, SPOOL_KIND_BULK);
	CHECK(m->personalised);
	CHECK_STR(m->campaign, "big");

	f.bytes = 0;
	CHECK(spool_parse_rewind(f.p, check_rcpt, &s));
	generate(&f, csv);
	CHECK(f.ok && spool_parse_finish(f.p));
	CHECK_INT(s.n, RECIPIENTS);
	CHECK(s.in_order);
	CHECK(s.bodies_ok);
	/* The file is several megabytes; the parser holds its number set
	 * (2 MB for 100,000) and a line. */
	CHECK(f.bytes > 5u << 20);
	printf("# %s: %zu bytes, heap %zu KiB after pass 1, peak %zu KiB in "
	       "pass 2\n", csv ? "csv" : "to", f.bytes,
	       (after_pass1 - before) / 1024, (s.heap_peak - before) / 1024);
	CHECK(after_pass1 - before < 4u << 20);
	CHECK(s.heap_peak < before + (4u << 20));
	/* A big file's pass 2 runs twice (check, then add: spool_job.c),
	 * from pass 1's note of the duplicates, the same each time. */
	s = (struct seen){ .in_order = true, .bodies_ok = true };
	f.bytes = 0;
	CHECK(spool_parse_rewind(f.p, check_rcpt, &s));
	generate(&f, csv);
	CHECK(f.ok && spool_parse_finish(f.p));
	CHECK_INT(s.n, RECIPIENTS);
	CHECK(s.in_order);
	CHECK(s.bodies_ok);
	spool_parse_free(f.p);
}

TEST(spool_bulk_100k_to_lines)
{
	run(false);
}

TEST(spool_bulk_100k_csv)
{
	run(true);
}
