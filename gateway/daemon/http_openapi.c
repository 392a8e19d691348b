/*
 * http_openapi — doc/openapi.json, embedded at build time with the
 * assembler's .incbin (the Makefile makes this object depend on the
 * file), served at /v1/openapi.json. NUL-terminated.
 */
#include "http_priv.h"

#include <stddef.h>
#include <string.h>

__asm__(".section .rodata\n"
	".global http_openapi_json\n"
	".type http_openapi_json, @object\n"
	"http_openapi_json:\n"
	".incbin \"doc/openapi.json\"\n"
	".byte 0\n"
	".previous\n");

size_t http_openapi_len(void)
{
	/* JSON text holds no NUL; the one after it ends it. */
	return strlen(http_openapi_json);
}
