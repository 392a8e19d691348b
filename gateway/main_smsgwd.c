/* smsgwd — the daemon. Filled in with the configuration and the store. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "smsgwd: not implemented yet\n");
	return 1;
}
