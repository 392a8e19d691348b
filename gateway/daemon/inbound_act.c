/*
 * inbound_act — what a complete inbound message's keyword asks for,
 * decided here and said as data (struct store_inbound_actions,
 * include/store_ops.h): opt-out (committed with the message by the store;
 * queued messages to the number suppressed; one confirmation), opt-in,
 * help, custom rules. The store writes the rows in the message's commit
 * (store/store_ops_inbound.c).
 */
#include "inbound_priv.h"
#include "config.h"
#include "log.h"
#include "sim.h"
#include "store_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The inbound text may end up in a reply ({{text}}): no control
 * characters (C0 but newline, DEL, C1) go back out. */
static void inbound_strip_controls(char *text)
{
	unsigned char *r = (unsigned char *)text, *w = r;

	for (; *r; r++) {
		if ((*r < 0x20 && *r != '\n') || *r == 0x7f)
			continue;
		if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
			r++;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

/* The reply km configures, if any, into a (origin says which kind). */
static void inbound_reply_text(struct inbound *ib,
			       const struct store_inbound_msg *m,
			       const struct keyword_match *km,
			       const char *origin,
			       struct store_inbound_actions *a)
{
	struct keyword_ctx ctx = {
		.sender = m->sender, .text = m->body, .sim = m->sim->name,
		.sim_number = m->sim->number[0] ? m->sim->number : NULL,
	};
	char err[128] = "";

	a->reply_origin = origin;
	a->reply = keyword_reply(ib->ks, km, &ctx, err, sizeof(err));
	if (a->reply)
		inbound_strip_controls(a->reply);
	else
		a->reply_failed = err[0] != '\0';
}

static int inbound_rule(struct inbound *ib, const struct store_inbound_msg *m,
			const struct keyword_match *km,
			struct store_inbound_actions *a)
{
	const struct config_rule *r = km->rule;
	struct keyword_ctx ctx = {
		.sender = m->sender, .text = m->body, .sim = m->sim->name,
	};

	switch (r->action) {
	case CONFIG_RULE_TAG:
		break;
	case CONFIG_RULE_REPLY:
		a->act = STORE_INBOUND_REPLY;
		inbound_reply_text(ib, m, km, "rule-reply", a);
		break;
	case CONFIG_RULE_FORWARD:
		a->act = STORE_INBOUND_FORWARD;
		a->forward_text = keyword_forward_text(&ctx);
		a->forward_to = strdup(r->forward);
		if (!a->forward_text || !a->forward_to)
			return -1;
		break;
	case CONFIG_RULE_HOOK:
		a->hook = strdup(r->hook);
		break;
	}
	return 0;
}

int inbound_classify(const struct store_inbound_msg *m,
		     struct store_inbound_actions *a, void *ud)
{
	struct inbound *ib = ud;
	struct keyword_match km;
	const char *tag;
	int rc = 0;

	if (!keyword_match(ib->ks, m->body, strlen(m->body), &km)) {
		keyword_match_free(&km);
		return -1;
	}
	tag = keyword_match_tag(&km);
	if (tag && !(a->keyword = strdup(tag)))
		rc = -1;
	switch (km.cls) {
	case KEYWORD_CLASS_OPTOUT:
		a->act = STORE_INBOUND_OPT_OUT;
		a->matched = km.matched ? strdup(km.matched) : NULL;
		a->how = keyword_how_name(km.how);
		inbound_reply_text(ib, m, &km, "optout-reply", a);
		break;
	case KEYWORD_CLASS_OPTIN:
		a->act = STORE_INBOUND_OPT_IN;
		inbound_reply_text(ib, m, &km, "optin-reply", a);
		break;
	case KEYWORD_CLASS_HELP:
		a->act = STORE_INBOUND_REPLY;
		inbound_reply_text(ib, m, &km, "help-reply", a);
		break;
	case KEYWORD_CLASS_RULE:
		if (rc == 0)
			rc = inbound_rule(ib, m, &km, a);
		break;
	case KEYWORD_CLASS_NONE:
		break;
	}
	/* Replies or suppressions may be queued: dispatch after the commit. */
	a->kick = km.cls != KEYWORD_CLASS_NONE;
	keyword_match_free(&km);
	return rc;
}
