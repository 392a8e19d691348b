/* hook_priv — what hook.c and hook_env.c share; not for other modules. */
#ifndef SMSGW_HOOK_PRIV_H
#define SMSGW_HOOK_PRIV_H

#include "hook.h"

/*
 * The environment for a hook about m: a NULL-terminated, malloc'd array of
 * malloc'd "NAME=value" strings (free with hook_env_free()), or NULL when
 * memory runs out. config_path becomes SMSGW_CONFIG.
 */
char **hook_env_build(const char *config_path, const struct hook_msg *m);
void hook_env_free(char **envp);

#endif
