/*
 * inbound_act — a complete inbound message into the inbox, and what its
 * keyword asks for: opt-out (committed with the message; queued messages to
 * the number suppressed; one confirmation), opt-in, help, custom rules.
 */
#include "inbound_priv.h"
#include "config.h"
#include "log.h"
#include "sim.h"
#include "sms.h"
#include "store.h"
#include "store_inbox.h"
#include "store_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void inbound_after_free(struct inbound_after *a)
{
	free(a->keyword);
	free(a->hook);
	memset(a, 0, sizeof(*a));
}

/*
 * Queues an automatic message. Replies leave from the SIM that received the
 * message, when it may send; origin tells the outbox (and the opt-out
 * check) what it is.
 */
static int queue_message(struct inbound *ib, const struct sim *sim,
			 const char *to, const char *text, const char *origin,
			 int64_t inbox_id, int64_t now)
{
	struct sms_encode_opts o;
	struct sms_preview p;
	struct outbox_new m = {
		.recipient = to, .body = text, .kind = MSG_KIND_DIRECT,
		.priority = MSG_PRIORITY_HIGH, .validity_minutes = -1,
		.origin = origin, .in_reply_to = inbox_id,
		.expires_at = now + ib->cfg->expire_after_ms,
	};
	enum outbox_add_result res;
	char err[128];

	sms_encode_opts_init(&o);
	if (!sms_preview(text, strlen(text), &o, &p, err, sizeof(err))) {
		log_error("inbound: %s to %s cannot be encoded: %s", origin, to,
			  err);
		return 0;
	}
	m.parts = p.parts;
	if (sim && sim->cfg->send && strcmp(origin, "forward") != 0)
		m.pin_sim_id = sim->id;
	return store_outbox_add(ib->store, 0, &m, false, now, NULL, &res);
}

/*
 * Automatic replies answer anyone who texts the SIM, so they are bounded
 * per sender: at most AUTO_BURST in AUTO_BURST_MS (two auto-responders
 * answering each other stop after a few turns) and AUTO_DAY a day.
 */
#define AUTO_BURST 3
#define AUTO_BURST_MS (10 * 60 * 1000)
#define AUTO_DAY 10
#define AUTO_DAY_MS (24 * 60 * 60 * 1000)
/* Fewer digits than this is a short code (a service, not a person). */
#define SHORT_CODE_DIGITS 7

/* Why an automatic reply to m's sender is not sent, or NULL. */
static const char *no_reply(struct inbound *ib, const struct inbound_msg *m,
			    int64_t now)
{
	const char *p = m->sender;
	int digits = 0, n;

	if (m->sender_type && strcmp(m->sender_type, "alphanumeric") == 0)
		return "an alphanumeric sender cannot be answered";
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return "the sender is not a phone number";
		digits++;
	}
	if (digits < SHORT_CODE_DIGITS)
		return "the sender is a short code";
	n = store_inbox_auto_replies(ib->store, m->sender, now - AUTO_BURST_MS);
	if (n >= AUTO_BURST)
		return "automatic replies to this number repeat (another "
		       "automatic responder?); none for a while";
	n = n < 0 ? n : store_inbox_auto_replies(ib->store, m->sender,
						 now - AUTO_DAY_MS);
	if (n >= AUTO_DAY)
		return "the day's automatic replies to this number were sent";
	return n < 0 ? "database error" : NULL;
}

/* The inbound text may end up in a reply ({{text}}): no control
 * characters (C0 but newline, DEL, C1) go back out. */
static void strip_controls(char *text)
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

static int reply(struct inbound *ib, const struct inbound_msg *m,
		 const struct keyword_match *km, const char *origin,
		 int64_t inbox_id, int64_t now)
{
	const char *why = no_reply(ib, m, now);
	struct keyword_ctx ctx = {
		.sender = m->sender, .text = m->body, .sim = m->sim->name,
		.sim_number = m->sim->number[0] ? m->sim->number : NULL,
	};
	char err[128] = "";
	char *text = keyword_reply(ib->ks, km, &ctx, err, sizeof(err));
	int rc;

	if (!text)
		return err[0] ? -1 : 0;	/* no reply configured */
	if (why) {
		log_notice("inbound: no %s to %s: %s", origin, m->sender, why);
		store_event(ib->store, STORE_EVENT_WARNING, "inbound",
			    "no %s to %s: %s", origin, m->sender, why);
		free(text);
		return 0;
	}
	strip_controls(text);
	rc = queue_message(ib, m->sim, m->sender, text, origin, inbox_id, now);
	free(text);
	return rc;
}

static int opt_out(struct inbound *ib, const struct inbound_msg *m,
		   const struct keyword_match *km, int64_t id, int64_t now)
{
	bool was_active;
	int suppressed;

	if (store_optout_add(ib->store, m->sender, km->matched, m->sim->id,
			     "keyword", keyword_how_name(km->how), now,
			     &was_active, &suppressed) < 0)
		return -1;
	/* One confirmation per opt-out: a second STOP gets nothing. */
	if (was_active)
		return 0;
	store_event(ib->store, STORE_EVENT_INFO, "inbound",
		    "%s opted out on %s (\"%s\", %s match); %d queued "
		    "message%s suppressed", m->sender, m->sim->name,
		    km->matched ? km->matched : "", keyword_how_name(km->how),
		    suppressed, suppressed == 1 ? "" : "s");
	return reply(ib, m, km, "optout-reply", id, now);
}

static int opt_in(struct inbound *ib, const struct inbound_msg *m,
		  const struct keyword_match *km, int64_t id, int64_t now)
{
	bool was_active;

	/* "Yes" from someone subscribed is an answer, not a request. */
	if (store_optout_remove(ib->store, m->sender, now, &was_active) < 0)
		return -1;
	if (!was_active)
		return 0;
	store_event(ib->store, STORE_EVENT_INFO, "inbound",
		    "%s opted in again on %s", m->sender, m->sim->name);
	return reply(ib, m, km, "optin-reply", id, now);
}

static int rule(struct inbound *ib, const struct inbound_msg *m,
		const struct keyword_match *km, int64_t id, int64_t now,
		struct inbound_after *after)
{
	const struct config_rule *r = km->rule;
	struct keyword_ctx ctx = {
		.sender = m->sender, .text = m->body, .sim = m->sim->name,
	};
	char *text;
	int rc = 0;

	switch (r->action) {
	case CONFIG_RULE_TAG:
		break;
	case CONFIG_RULE_REPLY:
		rc = reply(ib, m, km, "rule-reply", id, now);
		break;
	case CONFIG_RULE_FORWARD:
		text = keyword_forward_text(&ctx);
		if (!text)
			return -1;
		rc = queue_message(ib, m->sim, r->forward, text, "forward", id,
				   now);
		free(text);
		break;
	case CONFIG_RULE_HOOK:
		after->hook = strdup(r->hook);
		break;
	}
	return rc;
}

static int act(struct inbound *ib, const struct inbound_msg *m,
	       const struct keyword_match *km, int64_t id, int64_t now,
	       struct inbound_after *after)
{
	switch (km->cls) {
	case KEYWORD_CLASS_OPTOUT:
		return opt_out(ib, m, km, id, now);
	case KEYWORD_CLASS_OPTIN:
		return opt_in(ib, m, km, id, now);
	case KEYWORD_CLASS_HELP:
		return reply(ib, m, km, "help-reply", id, now);
	case KEYWORD_CLASS_RULE:
		return rule(ib, m, km, id, now, after);
	case KEYWORD_CLASS_NONE:
		break;
	}
	return 0;
}

int inbound_deliver(struct inbound *ib, const struct inbound_msg *m,
		    int64_t now, struct inbound_after *after)
{
	struct keyword_match km;
	const char *tag;
	struct inbox_new row = {
		.sender = m->sender, .sender_type = m->sender_type,
		.recipient = m->sim->number, .sim_id = m->sim->id,
		.body = m->body, .parts = m->parts, .total = m->total,
		.partial = m->partial, .scts = m->scts,
		.concat_ref = m->concat_ref,
	};
	int rc;

	memset(after, 0, sizeof(*after));
	if (!keyword_match(ib->ks, m->body, strlen(m->body), &km)) {
		keyword_match_free(&km);
		return -1;
	}
	tag = keyword_match_tag(&km);
	row.keyword = tag;
	row.in_reply_to = store_inbox_last_sent(ib->store, m->sender);
	rc = store_inbox_add(ib->store, &row, now, &after->id);
	/* The SIM that just talked with this number answers it next, if it
	 * sends at all. */
	if (rc == 0 && m->sim->cfg->send)
		rc = store_outbox_touch_sticky(ib->store, m->sender, m->sim->id,
					       now);
	if (rc == 0)
		rc = act(ib, m, &km, after->id, now, after);
	/* Replies or suppressions may be queued: dispatch after the commit. */
	after->kick = km.cls != KEYWORD_CLASS_NONE;
	if (tag)
		after->keyword = strdup(tag);
	keyword_match_free(&km);
	return rc;
}
