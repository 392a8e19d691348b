/*
 * pg_schema — gateway/store/pg/pg_schema.sql (tables, views),
 * pg_queue.sql (the queue's functions), pg_ops.sql (the operations
 * beside it), pg_cli.sql (the CLI's and retention's), pg_http.sql
 * (API tokens, the webhook queue) and pg_intake.sql (INSERT INTO
 * outbox), embedded at build time with the
 * assembler's .incbin (the Makefile makes this object depend on them), so
 * the daemon applies exactly the files the tests apply with psql.
 * NUL-terminated.
 */
#include "pg_conn.h"

__asm__(".section .rodata\n"
	".global pg_schema_text\n"
	".type pg_schema_text, @object\n"
	"pg_schema_text:\n"
	".incbin \"gateway/store/pg/pg_schema.sql\"\n"
	".byte 0\n"
	".global pg_queue_text\n"
	".type pg_queue_text, @object\n"
	"pg_queue_text:\n"
	".incbin \"gateway/store/pg/pg_queue.sql\"\n"
	".byte 0\n"
	".global pg_ops_text\n"
	".type pg_ops_text, @object\n"
	"pg_ops_text:\n"
	".incbin \"gateway/store/pg/pg_ops.sql\"\n"
	".byte 0\n"
	".global pg_cli_text\n"
	".type pg_cli_text, @object\n"
	"pg_cli_text:\n"
	".incbin \"gateway/store/pg/pg_cli.sql\"\n"
	".byte 0\n"
	".global pg_http_text\n"
	".type pg_http_text, @object\n"
	"pg_http_text:\n"
	".incbin \"gateway/store/pg/pg_http.sql\"\n"
	".byte 0\n"
	".global pg_intake_text\n"
	".type pg_intake_text, @object\n"
	"pg_intake_text:\n"
	".incbin \"gateway/store/pg/pg_intake.sql\"\n"
	".byte 0\n"
	".previous\n");

extern const char pg_schema_text[];
extern const char pg_queue_text[];
extern const char pg_ops_text[];
extern const char pg_cli_text[];
extern const char pg_http_text[];
extern const char pg_intake_text[];

const char *pg_schema_sql(int i)
{
	switch (i) {
	case 0:
		return pg_schema_text;
	case 1:
		return pg_queue_text;
	case 2:
		return pg_ops_text;
	case 3:
		return pg_cli_text;
	case 4:
		return pg_http_text;
	case 5:
		return pg_intake_text;
	default:
		return NULL;
	}
}
