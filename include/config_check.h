/*
 * config_check — the value checks behind config.c, kept apart so they read
 * as a table. Each returns NULL when the value is fine, or a short static
 * reason ("is not a standard rate") the caller prefixes with the option.
 */
#ifndef SMSGW_CONFIG_CHECK_H
#define SMSGW_CONFIG_CHECK_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

const char *config_check_value(const char *option, const char *value);
const char *config_check_int(const char *option, long value);
/* Section checks, called by libconfuse when the section closes. */
int config_check_modem_section(cfg_t *cfg, cfg_opt_t *opt);
int config_check_rule_section(cfg_t *cfg, cfg_opt_t *opt);
/* Checks across sections after parsing: -1 with a message in err. */
int config_check_whole(cfg_t *cfg, char *err, size_t errsize,
		       const char *path);
bool config_rule_action_parse(const char *s, enum config_rule_action *out);
/* Where tzdata lives: $TZDIR when absolute, else /usr/share/zoneinfo. The
 * timezone option must name a zone file there. */
const char *config_zoneinfo_dir(void);
/* Names the drivers compiled in; "auto" is always valid. */
bool config_driver_known(const char *name);

#endif
