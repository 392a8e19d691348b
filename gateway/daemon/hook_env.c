/*
 * hook_env — the environment of a hook: the daemon's own minus its SMSGW_*
 * variables, plus the message's (the table in include/hook.h).
 */
#include "hook.h"
#include "hook_priv.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define HOOK_NVARS 18

void hook_env_free(char **envp)
{
	for (size_t i = 0; envp && envp[i]; i++)
		free(envp[i]);
	free(envp);
}

/* Cuts s to at most max bytes without splitting a UTF-8 sequence. */
static size_t hook_env_cut(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

char **hook_env_build(const char *config_path, const struct hook_msg *m)
{
	char id[24], parts[16], when[32];
	const char *const vars[HOOK_NVARS][2] = {
		{ "SMSGW_EVENT", hook_event_name(m->event) },
		{ "SMSGW_ID", id },
		{ "SMSGW_NUMBER", m->number },
		{ "SMSGW_TEXT", m->text },
		{ "SMSGW_SIM", m->sim },
		{ "SMSGW_SIM_NUMBER", m->sim_number },
		{ "SMSGW_ICCID", m->iccid },
		{ "SMSGW_STATE", m->state },
		{ "SMSGW_ERROR", m->error },
		{ "SMSGW_KEYWORD", m->keyword },
		{ "SMSGW_RULE", m->rule },
		{ "SMSGW_CAMPAIGN", m->campaign },
		{ "SMSGW_PARTS", parts },
		{ "SMSGW_PARTIAL", m->partial ? "1" : "0" },
		{ "SMSGW_FILE", m->file },
		{ "SMSGW_FILE_ID", m->file_id },
		{ "SMSGW_TIME", when },
		{ "SMSGW_CONFIG", config_path },
	};
	size_t n = 0, k = 0;
	char **envp;

	snprintf(id, sizeof(id), m->id ? "%lld" : "", (long long)m->id);
	snprintf(parts, sizeof(parts), "%d", m->parts);
	store_format_time(m->time_ms ? m->time_ms : store_now_ms(), when,
			  sizeof(when));
	while (environ && environ[n])
		n++;
	envp = calloc(n + HOOK_NVARS + 1, sizeof(*envp));
	if (!envp)
		return NULL;
	/* Ours replace whatever SMSGW_* the daemon itself was started with. */
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "SMSGW_", 6) != 0 &&
		    !(envp[k++] = strdup(environ[i])))
			goto fail;
	for (size_t i = 0; i < HOOK_NVARS; i++) {
		const char *v = vars[i][1] ? vars[i][1] : "";
		int len = (int)hook_env_cut(v, HOOK_TEXT_MAX);

		if (asprintf(&envp[k], "%s=%.*s", vars[i][0], len, v) < 0) {
			envp[k] = NULL;
			goto fail;
		}
		k++;
	}
	return envp;
fail:
	hook_env_free(envp);
	return NULL;
}
