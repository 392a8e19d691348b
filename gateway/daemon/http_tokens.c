/*
 * http_tokens — /v1/tokens: what `smsgw token` does, for holders of the
 * admin right. POST {"name", "rights"} makes a token and answers it once
 * (201), after its commit; only its hash is stored. GET lists names and
 * rights; DELETE /v1/tokens/{name} removes one. Like every token change,
 * it works at once.
 */
#include "http_priv.h"
#include "store.h"
#include "store_pg_http.h"
#include "store_query.h"
#include "token.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * PostgreSQL: the row is written while the connection waits; the answer
 * (201 with the token, 200 removed) only once the database took it.
 */
struct http_tokens_wait {
	struct http_wait w;		/* first: http_wait_*() */
	json_t *v;			/* the answer for 0 */
	unsigned status;
	char name[65], who[96];
	bool add;
};

static enum MHD_Result http_tokens_pg_answer(struct http_req *r)
{
	json_t *v = r->later;

	r->later = NULL;
	if (r->later_rc == 0)
		return http_json(r, r->later_status, v);
	json_decref(v);
	if (r->later_rc == -EEXIST)
		return http_problem(r, MHD_HTTP_CONFLICT, "exists",
				    "A token of this name exists", NULL,
				    json_pack("{s:s}", "field", "name"));
	if (r->later_rc == -ENOENT)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such token", NULL, NULL);
	return http_db_problem(r);
}

static void http_tokens_pg_done(int rc, void *ud)
{
	struct http_tokens_wait *x = ud;
	struct http_req *r = http_wait_end(&x->w);

	if (r) {
		if (rc == 0)
			store_event(r->h->deps.store, STORE_EVENT_INFO, x->who,
				    "token %s %s", x->name,
				    x->add ? "added" : "removed");
		r->later = x->v;
		r->later_status = x->status;
		r->later_rc = rc;
		http_wait_resume(r, http_tokens_pg_answer);
	} else {
		json_decref(x->v);
	}
	free(x);
}

/* Adds (token set) or removes name on PostgreSQL; v (stolen) the answer. */
static enum MHD_Result http_tokens_pg(struct http_req *r, const char *name,
				      const char *token, unsigned bits,
				      json_t *v, unsigned status)
{
	struct http_tokens_wait *x;

	if (!http_pg(r->h) || !v) {
		json_decref(v);
		return http_db_problem(r);
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		json_decref(v);
		return MHD_NO;
	}
	x->v = v;
	x->status = status;
	x->add = token != NULL;
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(x->who, sizeof(x->who), "http %s", r->token);
	http_wait_start(r, &x->w);
	if (token)
		pg_store_token_add(http_pg(r->h), name, token, bits,
				   store_now_ms(), http_tokens_pg_done, x);
	else
		pg_store_token_remove(http_pg(r->h), name,
				      http_tokens_pg_done, x);
	return MHD_YES;
}

static enum MHD_Result http_tokens_list(struct http_req *r)
{
	json_t *a;

	if (http_is_pg(r->h))
		return http_api_pg(r, "tokens", NULL, STORE_Q_TOKENS, NULL, 0);
	a = store_query_json(r->h->deps.store, STORE_Q_TOKENS, NULL, 0);
	/* As before the query moved: a failed read lists no tokens. */
	if (!a)
		a = json_array();
	return http_json(r, MHD_HTTP_OK, json_pack("{s:o}", "tokens", a));
}

static enum MHD_Result http_tokens_add(struct http_req *r)
{
	char token[TOKEN_LEN + 1], err[128], rs[32], who[96];
	const char *name, *rights = "send,read";
	json_t *req = json_loadb(r->body ? r->body : "", r->len, 0, NULL);
	unsigned bits;
	bool batched;
	json_t *v;
	int rc;

	if (!json_is_object(req)) {
		json_decref(req);
		return http_problem(r, MHD_HTTP_BAD_REQUEST, "bad-json",
				    "The body is not a JSON object", NULL, NULL);
	}
	name = json_string_value(json_object_get(req, "name"));
	if (json_is_string(json_object_get(req, "rights")))
		rights = json_string_value(json_object_get(req, "rights"));
	if (!name || !token_name_ok(name)) {
		json_decref(req);
		return http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "value",
				    "Bad token name", "use 1-64 letters, digits "
				    "and - _ . @", json_pack("{s:s}", "field",
							     "name"));
	}
	if (!token_rights_parse(rights, &bits, err, sizeof(err))) {
		json_decref(req);
		return http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT, "value",
				    "Bad rights", err,
				    json_pack("{s:s}", "field", "rights"));
	}
	if (http_is_pg(r->h)) {
		json_t *pv;

		if (token_generate(token, sizeof(token)) < 0) {
			json_decref(req);
			return http_db_problem(r);
		}
		token_rights_format(bits, rs, sizeof(rs));
		pv = json_pack("{s:s, s:s, s:s}", "name", name, "rights", rs,
			       "token", token);
		rc = http_tokens_pg(r, name, token, bits, pv,
				    MHD_HTTP_CREATED);
		json_decref(req);
		return rc;
	}
	/* The token must not be shown before it is stored for good. */
	batched = http_txn_join(r) == 0;
	rc = token_generate(token, sizeof(token));
	if (rc == 0)
		rc = token_add(r->h->deps.store, name, token, bits,
			       store_now_ms());
	if (rc == -EEXIST) {
		json_decref(req);
		return http_problem(r, MHD_HTTP_CONFLICT, "exists",
				    "A token of this name exists", NULL,
				    json_pack("{s:s}", "field", "name"));
	}
	token_rights_format(bits, rs, sizeof(rs));
	snprintf(who, sizeof(who), "http %s", r->token);
	if (rc == 0)
		store_event(r->h->deps.store, STORE_EVENT_INFO, who,
			    "token %s added (%s)", name, rs);
	v = rc < 0 ? NULL
		   : json_pack("{s:s, s:s, s:s}", "name", name, "rights", rs,
			       "token", token);
	json_decref(req);
	if (!v)
		return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
				    "Database error", NULL, NULL);
	if (batched)
		return http_json_after_commit(r, MHD_HTTP_CREATED, v);
	return http_json(r, MHD_HTTP_CREATED, v);
}

static enum MHD_Result http_tokens_remove(struct http_req *r, const char *name)
{
	bool batched;
	char who[96];
	json_t *v;
	int rc;

	if (http_is_pg(r->h))
		return http_tokens_pg(r, name, NULL, 0,
				      json_pack("{s:s}", "removed", name),
				      MHD_HTTP_OK);
	batched = http_txn_join(r) == 0;
	rc = token_remove(r->h->deps.store, name);

	if (rc == -ENOENT)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such token", NULL, NULL);
	if (rc < 0)
		return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
				    "Database error", NULL, NULL);
	snprintf(who, sizeof(who), "http %s", r->token);
	store_event(r->h->deps.store, STORE_EVENT_INFO, who,
		    "token %s removed", name);
	v = json_pack("{s:s}", "removed", name);
	if (batched)
		return http_json_after_commit(r, MHD_HTTP_OK, v);
	return http_json(r, MHD_HTTP_OK, v);
}

enum MHD_Result http_tokens(struct http_req *r, const char *name)
{
	if (!name && !strcmp(r->method, "GET"))
		return http_tokens_list(r);
	if (!name && !strcmp(r->method, "POST"))
		return http_tokens_add(r);
	if (name && !strcmp(r->method, "DELETE"))
		return http_tokens_remove(r, name);
	return http_problem(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
			    "Method not allowed", NULL,
			    json_pack("{s:s}", "allow",
				      name ? "DELETE" : "GET, POST"));
}
