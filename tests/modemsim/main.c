/* smsgw-modemsim — placeholder until the simulator lands. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "smsgw-modemsim: not implemented yet\n");
	return 1;
}
