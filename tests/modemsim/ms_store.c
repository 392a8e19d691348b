/* ms_store — SMS storage slots; see ms_store.h. */
#include "ms_store.h"

#include <stdlib.h>
#include <string.h>

bool ms_store_init(struct ms_store *s, int size)
{
	s->size = size;
	s->msgs = calloc(size > 0 ? (size_t)size : 1, sizeof(*s->msgs));
	return s->msgs != NULL;
}

void ms_store_free(struct ms_store *s)
{
	free(s->msgs);
	s->msgs = NULL;
	s->size = 0;
}

int ms_store_used(const struct ms_store *s)
{
	int n = 0;

	for (int i = 0; i < s->size; i++)
		n += s->msgs[i].used;
	return n;
}

int ms_store_add(struct ms_store *s, const char *pdu, int tpdu_len,
		 bool report)
{
	size_t len = strlen(pdu);

	if (len >= SMS_PDU_HEX_MAX)
		return -1;
	for (int i = 0; i < s->size; i++) {
		struct ms_store_msg *msg = &s->msgs[i];

		if (msg->used)
			continue;
		msg->used = true;
		msg->stat = MS_STORE_STAT_REC_UNREAD;
		msg->report = report;
		msg->tpdu_len = tpdu_len;
		memcpy(msg->pdu, pdu, len + 1);
		return i;
	}
	return -1;
}

struct ms_store_msg *ms_store_get(struct ms_store *s, int i)
{
	if (i < 0 || i >= s->size || !s->msgs[i].used)
		return NULL;
	return &s->msgs[i];
}

bool ms_store_delete(struct ms_store *s, int i)
{
	if (i < 0 || i >= s->size)
		return false;
	s->msgs[i].used = false;
	return true;
}

int ms_store_delete_flag(struct ms_store *s, int delflag)
{
	int n = 0;

	for (int i = 0; i < s->size; i++) {
		struct ms_store_msg *msg = &s->msgs[i];
		bool del;

		if (!msg->used)
			continue;
		switch (msg->stat) {
		case MS_STORE_STAT_REC_READ:
			del = delflag >= 1;
			break;
		case MS_STORE_STAT_STO_SENT:
			del = delflag >= 2;
			break;
		case MS_STORE_STAT_STO_UNSENT:
			del = delflag >= 3;
			break;
		default:
			del = delflag >= 4;
			break;
		}
		if (del) {
			msg->used = false;
			n++;
		}
	}
	return n;
}

bool ms_store_match(enum ms_store_stat stat, enum ms_store_stat filter)
{
	return filter == MS_STORE_STAT_ALL || stat == filter;
}
