/*
 * http_openapi — doc/openapi.json, embedded at build time with the
 * assembler's .incbin (the Makefile makes this object depend on the
 * file), served at /v1/openapi.json. NUL-terminated.
 */
#include "http_priv.h"

#include <stddef.h>

__asm__(".section .rodata\n"
	".global http_openapi_json\n"
	".type http_openapi_json, @object\n"
	"http_openapi_json:\n"
	".incbin \"doc/openapi.json\"\n"
	".global http_openapi_json_end\n"
	"http_openapi_json_end:\n"
	".byte 0\n"
	".previous\n");

extern const char http_openapi_json[], http_openapi_json_end[];

size_t http_openapi_len(void)
{
	return (size_t)(http_openapi_json_end - http_openapi_json);
}
