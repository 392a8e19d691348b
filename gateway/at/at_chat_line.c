/*
 * at_chat_line — what each line from the modem means: PDU line, echo,
 * final response, a line the command asked for, URC or noise (the order of
 * the rules is in include/at_chat.h), and the tables it consults: final
 * responses and URC prefixes.
 */
#include "at_chat_internal.h"
#include "hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Handlers called for one line without allocating; more is a bug. */
#define AT_CHAT_URC_BATCH 32

/* ---- the tables: final responses and URC prefixes ---- */

static const struct at_chat_final at_chat_builtin_finals[] = {
	{ "OK", false, true },
	{ "ERROR", false, false },
	{ "+CME ERROR:", true, false },
	{ "+CMS ERROR:", true, false },
	{ "+EXT ERROR:", true, false },
	{ "NO CARRIER", false, false },
	{ "NO DIALTONE", false, false },
	{ "NO ANSWER", false, false },
	{ "BUSY", false, false },
	{ "CONNECT", true, true },
};

int at_chat_add_final(struct at_chat *chat, const char *text, bool prefix,
		      bool success)
{
	struct at_chat_final *f;

	if (!text || !*text)
		return -EINVAL;
	f = realloc(chat->finals, (chat->nfinals + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	chat->finals = f;
	/* Later rows are tried first: a quirk can override a built-in. */
	memmove(f + 1, f, chat->nfinals * sizeof(*f));
	f[0].text = strdup(text);
	if (!f[0].text) {
		memmove(f, f + 1, chat->nfinals * sizeof(*f));
		return -ENOMEM;
	}
	f[0].len = strlen(text);
	f[0].prefix = prefix;
	f[0].success = success;
	chat->nfinals++;
	return 0;
}

int at_chat_remove_final(struct at_chat *chat, const char *text)
{
	size_t i = 0;
	int n = 0;

	while (text && i < chat->nfinals) {
		if (strcmp(chat->finals[i].text, text) != 0) {
			i++;
			continue;
		}
		free(chat->finals[i].text);
		memmove(&chat->finals[i], &chat->finals[i + 1],
			(chat->nfinals - i - 1) * sizeof(chat->finals[0]));
		chat->nfinals--;
		n++;
	}
	return n;
}

int at_chat_register(struct at_chat *chat, const char *prefix, bool pdu,
		     at_chat_urc_cb cb, void *ud)
{
	struct at_chat_urc *u;

	if (!prefix || !*prefix || !cb)
		return -EINVAL;
	u = realloc(chat->urcs, (chat->nurcs + 1) * sizeof(*u));
	if (!u)
		return -ENOMEM;
	chat->urcs = u;
	u = &chat->urcs[chat->nurcs];
	u->prefix = strdup(prefix);
	if (!u->prefix)
		return -ENOMEM;
	u->len = strlen(prefix);
	u->pdu = pdu;
	u->cb = cb;
	u->ud = ud;
	u->id = ++chat->urc_seq;
	chat->nurcs++;
	return u->id;
}

void at_chat_unregister(struct at_chat *chat, int id)
{
	for (size_t i = 0; i < chat->nurcs; i++) {
		if (chat->urcs[i].id != id)
			continue;
		free(chat->urcs[i].prefix);
		memmove(&chat->urcs[i], &chat->urcs[i + 1],
			(chat->nurcs - i - 1) * sizeof(chat->urcs[0]));
		chat->nurcs--;
		return;
	}
}

const struct at_chat_final *at_chat_find_final(const struct at_chat *chat,
					       const char *line)
{
	for (size_t i = 0; i < chat->nfinals; i++) {
		const struct at_chat_final *f = &chat->finals[i];

		if (f->prefix ? strncmp(line, f->text, f->len) == 0
			      : strcmp(line, f->text) == 0)
			return f;
	}
	return NULL;
}

bool at_chat_is_hex(const char *line)
{
	size_t n = 0;

	for (; line[n]; n++)
		if (hex_digit(line[n]) < 0)
			return false;
	return n > 0 && n % 2 == 0;
}

/* A PDU line as modems print it: hex (any case), then perhaps a trailing
 * field (",0" on some firmware); the parser cuts it to the header's
 * length. */
static bool at_chat_is_pdu_line(const char *line)
{
	size_t n = 0;

	while (line[n] && hex_digit(line[n]) >= 0)
		n++;
	return n >= 2 && n % 2 == 0 && (!line[n] || line[n] == ',');
}

bool at_chat_is_echo(const struct at_cmd *cmd, const char *line)
{
	return strcasecmp(line, cmd->command) == 0 ||
	       (cmd->pdu && strcasecmp(line, cmd->pdu) == 0);
}
int at_chat_add_builtin_finals(struct at_chat *chat)
{
	size_t n = sizeof(at_chat_builtin_finals) /
		   sizeof(at_chat_builtin_finals[0]);

	for (size_t i = 0; i < n; i++) {
		int rc = at_chat_add_final(chat, at_chat_builtin_finals[i].text,
					   at_chat_builtin_finals[i].prefix,
					   at_chat_builtin_finals[i].success);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- classifying lines ---- */

/* The command whose answer this line can be: its command line is out. */
static struct at_cmd *at_chat_active(struct at_chat *chat)
{
	if (chat->phase == AT_CHAT_PHASE_IDLE ||
	    chat->phase == AT_CHAT_PHASE_COMMAND)
		return NULL;
	return chat->head;
}

static void at_chat_noise(struct at_chat *chat, const char *line)
{
	chat->stats.noise++;
	if (chat->noise_cb)
		chat->noise_cb(line, chat->noise_ud);
}

static void at_cmd_keep(struct at_cmd *cmd, const char *line)
{
	char *copy;

	if (cmd->nlines == AT_CHAT_MAX_LINES) {
		cmd->truncated = true;
		return;
	}
	if (cmd->nlines == cmd->lines_cap) {
		size_t cap = cmd->lines_cap ? cmd->lines_cap * 2 : 8;
		char **l = realloc(cmd->lines, cap * sizeof(*l));

		if (!l) {
			cmd->truncated = true;
			return;
		}
		cmd->lines = l;
		cmd->lines_cap = cap;
	}
	copy = strdup(line);
	if (!copy) {
		cmd->truncated = true;
		return;
	}
	cmd->lines[cmd->nlines++] = copy;
}

static bool at_cmd_wants(const struct at_cmd *cmd, const char *line)
{
	for (size_t i = 0; i < cmd->nprefixes; i++)
		if (strncmp(line, cmd->prefixes[i],
			    strlen(cmd->prefixes[i])) == 0)
			return true;
	return false;
}

static bool at_chat_urc_match(const struct at_chat_urc *u, const char *line)
{
	return strncmp(line, u->prefix, u->len) == 0;
}

/* Copies the handlers whose prefix matches line into batch; returns how
 * many, and in *pdu whether one of them wants the line's PDU. */
static size_t at_chat_urc_batch(const struct at_chat *chat, const char *line,
				struct at_chat_urc *batch, bool *pdu)
{
	size_t n = 0;

	*pdu = false;
	for (size_t i = 0; i < chat->nurcs && n < AT_CHAT_URC_BATCH; i++) {
		if (!at_chat_urc_match(&chat->urcs[i], line))
			continue;
		*pdu |= chat->urcs[i].pdu;
		batch[n++] = chat->urcs[i];
	}
	return n;
}

/*
 * Calls the handlers of batch. Handlers may register, unregister or free
 * the chat, so each is checked to be still registered before it is
 * called.
 */
static void at_chat_call_urcs(struct at_chat *chat,
			      const struct at_chat_urc *batch, size_t n,
			      const char *line, const char *pdu)
{
	chat->stats.urcs++;
	for (size_t i = 0; i < n && !chat->dead; i++) {
		bool live = false;

		for (size_t j = 0; j < chat->nurcs && !live; j++)
			live = chat->urcs[j].id == batch[i].id;
		if (live)
			batch[i].cb(line, pdu, batch[i].ud);
	}
}

/* A URC: dispatched now, or held until its PDU line comes. */
static bool at_chat_urc(struct at_chat *chat, const char *line)
{
	struct at_chat_urc batch[AT_CHAT_URC_BATCH];
	bool pdu;
	size_t n = at_chat_urc_batch(chat, line, batch, &pdu);

	if (!n)
		return false;
	if (pdu) {
		chat->urc_header = strdup(line);
		if (chat->urc_header)
			return true;
	}
	at_chat_call_urcs(chat, batch, n, line, NULL);
	return true;
}

/*
 * The line after a URC header that carries a PDU (+CMT, +CDS). Returns
 * true when the line was that PDU; else the handlers heard that none came
 * and the line goes through the other rules.
 */
static bool at_chat_urc_pdu(struct at_chat *chat, const char *line)
{
	struct at_chat_urc batch[AT_CHAT_URC_BATCH];
	char *header = chat->urc_header;
	/* As for a listing's PDU: a trailing field is cut by the parser. */
	bool hex = line && at_chat_is_pdu_line(line), pdu;
	size_t n = at_chat_urc_batch(chat, header, batch, &pdu);

	chat->urc_header = NULL;
	at_chat_call_urcs(chat, batch, n, header, hex ? line : NULL);
	free(header);
	return hex;
}

static void at_chat_line(struct at_chat *chat, const char *line)
{
	struct at_cmd *cmd;
	const struct at_chat_final *f;

	if (chat->urc_header && (at_chat_urc_pdu(chat, line) || chat->dead))
		return;
	cmd = at_chat_active(chat);
	if (cmd && cmd->want_pdu && at_chat_is_pdu_line(line)) {
		at_cmd_keep(cmd, line);
		cmd->want_pdu = false;
		return;
	}
	if (cmd && at_chat_is_echo(cmd, line)) {
		chat->stats.echoes++;
		return;
	}
	f = at_chat_find_final(chat, line);
	if (f && cmd) {
		at_chat_finish(chat, f->success ? AT_CHAT_STATUS_OK
						: AT_CHAT_STATUS_ERROR,
			       line);
		return;
	}
	if (!f && cmd && at_cmd_wants(cmd, line)) {
		at_cmd_keep(cmd, line);
		cmd->want_pdu = cmd->pdu_lines;
		return;
	}
	/* A URC between a listing's header and its PDU keeps the PDU owed;
	 * so does a vendor line nobody registered (+ZEND, +WIND: 7,
	 * ^SYSSTART): it is noise, and the PDU still comes. */
	if (!f && at_chat_urc(chat, line))
		return;
	if (!f && cmd && cmd->raw_lines && !cmd->want_pdu) {
		at_cmd_keep(cmd, line);
		return;
	}
	at_chat_noise(chat, line);
}

static void at_chat_overlong(struct at_chat *chat)
{
	struct at_cmd *cmd = at_chat_active(chat);

	if (chat->urc_header) {
		at_chat_urc_pdu(chat, NULL);
		return;
	}
	if (cmd) {
		cmd->want_pdu = false;
		cmd->truncated = true;
		return;
	}
	chat->stats.noise++;
}

void at_chat_input(struct at_chat *chat, const char *data, size_t len)
{
	while (len && !chat->dead && !chat->gone) {
		enum at_frame_event ev;
		size_t n = at_frame_feed(&chat->frame, data, len, &ev);

		data += n;
		len -= n;
		switch (ev) {
		case AT_FRAME_EVENT_LINE:
			at_chat_line(chat, at_frame_line(&chat->frame));
			break;
		case AT_FRAME_EVENT_PROMPT:
			at_chat_prompt(chat);
			break;
		case AT_FRAME_EVENT_OVERLONG:
			at_chat_overlong(chat);
			break;
		case AT_FRAME_EVENT_NONE:
			break;
		}
	}
}
