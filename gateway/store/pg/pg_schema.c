/*
 * pg_schema — gateway/store/pg/pg_schema.sql, embedded at build time with
 * the assembler's .incbin (the Makefile makes this object depend on the
 * file), so the daemon applies exactly the file the contract test reads.
 * NUL-terminated.
 */
#include "pg_conn.h"

__asm__(".section .rodata\n"
	".global pg_schema_text\n"
	".type pg_schema_text, @object\n"
	"pg_schema_text:\n"
	".incbin \"gateway/store/pg/pg_schema.sql\"\n"
	".byte 0\n"
	".previous\n");

extern const char pg_schema_text[];

const char *pg_schema_sql(void)
{
	return pg_schema_text;
}
