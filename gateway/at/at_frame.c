/* at_frame — AT response framing; see include/at_frame.h. */
#include "at_frame.h"

#include <string.h>

#define AT_FRAME_CTRL_Z 0x1a
#define AT_FRAME_ESC 0x1b

void at_frame_init(struct at_frame *fr)
{
	memset(fr, 0, sizeof(*fr));
	fr->state = AT_FRAME_STATE_START;
}

void at_frame_reset(struct at_frame *fr)
{
	fr->state = AT_FRAME_STATE_START;
	fr->len = 0;
	fr->line[0] = '\0';
}

void at_frame_expect_prompt(struct at_frame *fr, bool on)
{
	fr->expect_prompt = on;
}

static bool at_frame_is_term(unsigned char b)
{
	return b == '\r' || b == '\n' || b == AT_FRAME_CTRL_Z ||
	       b == AT_FRAME_ESC;
}

/* Control bytes that never belong to a response line. */
static bool at_frame_is_garbage(unsigned char b)
{
	return (b < 0x20 && b != '\t' && !at_frame_is_term(b)) || b == 0x7f;
}

/* Ends the current line; returns false when it was blank after trimming. */
static bool at_frame_finish(struct at_frame *fr)
{
	while (fr->len && (fr->line[fr->len - 1] == ' ' ||
			   fr->line[fr->len - 1] == '\t'))
		fr->len--;
	fr->line[fr->len] = '\0';
	fr->state = AT_FRAME_STATE_START;
	if (!fr->len)
		return false;
	fr->stats.lines++;
	return true;
}

static void at_frame_append(struct at_frame *fr, unsigned char b)
{
	if (fr->len == AT_FRAME_LINE_MAX) {
		fr->state = AT_FRAME_STATE_DISCARD;
		fr->len = 0;
		return;
	}
	fr->line[fr->len++] = (char)b;
	fr->state = AT_FRAME_STATE_TEXT;
}

/*
 * Processes one byte. Returns the event it completes and sets *used to
 * whether the byte was consumed (a byte after a lone-`>` prompt is looked
 * at twice).
 */
static enum at_frame_event at_frame_byte(struct at_frame *fr, unsigned char b,
					 bool *used)
{
	*used = true;
	if (at_frame_is_garbage(b)) {
		fr->stats.garbage++;
		return AT_FRAME_EVENT_NONE;
	}
	switch (fr->state) {
	case AT_FRAME_STATE_START:
		if (at_frame_is_term(b))
			return AT_FRAME_EVENT_NONE;
		if (b != '>') {
			fr->len = 0;
			at_frame_append(fr, b);
			return AT_FRAME_EVENT_NONE;
		}
		if (!fr->expect_prompt) {
			fr->state = AT_FRAME_STATE_GT;
			return AT_FRAME_EVENT_NONE;
		}
		fr->state = AT_FRAME_STATE_PROMPT_SP;
		fr->stats.prompts++;
		return AT_FRAME_EVENT_PROMPT;
	case AT_FRAME_STATE_GT:
		/* "> " is the prompt; a line holding only ">" can mean
		 * nothing else either. */
		if (b == ' ' || at_frame_is_term(b)) {
			fr->state = AT_FRAME_STATE_START;
			fr->stats.prompts++;
			return AT_FRAME_EVENT_PROMPT;
		}
		fr->line[0] = '>';
		fr->len = 1;
		at_frame_append(fr, b);
		return AT_FRAME_EVENT_NONE;
	case AT_FRAME_STATE_PROMPT_SP:
		fr->state = AT_FRAME_STATE_START;
		if (b != ' ')
			*used = false;
		return AT_FRAME_EVENT_NONE;
	case AT_FRAME_STATE_TEXT:
		if (!at_frame_is_term(b)) {
			at_frame_append(fr, b);
			return AT_FRAME_EVENT_NONE;
		}
		return at_frame_finish(fr) ? AT_FRAME_EVENT_LINE
					   : AT_FRAME_EVENT_NONE;
	case AT_FRAME_STATE_DISCARD:
		if (!at_frame_is_term(b))
			return AT_FRAME_EVENT_NONE;
		fr->state = AT_FRAME_STATE_START;
		fr->stats.overlong++;
		return AT_FRAME_EVENT_OVERLONG;
	}
	return AT_FRAME_EVENT_NONE;
}

size_t at_frame_feed(struct at_frame *fr, const void *data, size_t len,
		     enum at_frame_event *ev)
{
	const unsigned char *p = data;
	size_t i = 0;

	*ev = AT_FRAME_EVENT_NONE;
	while (i < len) {
		bool used;
		enum at_frame_event e = at_frame_byte(fr, p[i], &used);

		if (used)
			i++;
		if (e != AT_FRAME_EVENT_NONE) {
			*ev = e;
			break;
		}
	}
	return i;
}

const char *at_frame_line(const struct at_frame *fr)
{
	return fr->line;
}

size_t at_frame_line_len(const struct at_frame *fr)
{
	return fr->len;
}

const struct at_frame_stats *at_frame_stats(const struct at_frame *fr)
{
	return &fr->stats;
}
