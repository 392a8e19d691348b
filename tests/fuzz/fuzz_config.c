/*
 * Fuzz target: configuration text through the comment blanking that runs
 * before libconfuse (config_text.h). Whatever the bytes, the result keeps
 * every newline where it was (so libconfuse's line numbers stay right) and
 * changes nothing but comment bytes into spaces.
 */
#include "config_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_text t;
	char err[512];

	if (config_text_prepare("fuzz.conf", (const char *)data, size, &t, err,
				sizeof(err)) < 0) {
		if (strncmp(err, "fuzz.conf:", 10) != 0)
			abort();
		return 0;
	}
	if (strlen(t.text) != size)
		abort();
	for (size_t i = 0; i < size; i++) {
		if ((data[i] == '\n') != (t.text[i] == '\n'))
			abort();
		if ((unsigned char)t.text[i] != data[i] && t.text[i] != ' ')
			abort();
	}
	config_text_free(&t);
	return 0;
}
