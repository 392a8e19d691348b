/*
 * http_wait — a request that waits for the store: its connection is
 * suspended (MHD_suspend_connection(), which MHD_ALLOW_SUSPEND_RESUME
 * allows) until the store's callback resumes it with what to answer; a
 * PostgreSQL query, or a store operation that answers later
 * (include/store_ops.h). Pending waits are listed in the server, so that
 * http_free() can cut them loose: their callbacks then find no request.
 */
#include "http_priv.h"
#include "store.h"
#include "store_pg_http.h"

#include <stdlib.h>

bool http_is_pg(const struct http *h)
{
	return store_is_pg(h->deps.store);
}

struct pg_store *http_pg(const struct http *h)
{
	return store_pg(h->deps.store);
}

void http_wait_start(struct http_req *r, struct http_wait *w)
{
	struct http_wait *head = &r->h->waits;

	w->r = r;
	w->next = head->next;
	w->prev = head;
	head->next->prev = w;
	head->next = w;
	MHD_suspend_connection(r->conn);
}

struct http_req *http_wait_end(struct http_wait *w)
{
	if (w->next) {
		w->next->prev = w->prev;
		w->prev->next = w->next;
		w->next = w->prev = NULL;
	}
	return w->r;
}

void http_wait_resume(struct http_req *r,
		      enum MHD_Result (*fn)(struct http_req *r))
{
	r->resume = fn;
	MHD_resume_connection(r->conn);
	/* MHD sees the resumption at its next run: now, from the loop. */
	loop_timer_arm(&r->h->timer, 0);
}

enum MHD_Result http_db_problem(struct http_req *r)
{
	return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
			    "Database error", NULL, NULL);
}

