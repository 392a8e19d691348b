/*
 * store_ops_pg_inbound — inbound on PostgreSQL: store_op_inbound() and
 * store_op_inbound_timeout() forward to their twins
 * (gateway/store/pg/pg_store_inbound.c, pg_store_reasm.c): the raw PDU
 * once per SIM card, fragments reassembled in the database (across a
 * restart of the box), the keyword's actions with bounded replies, all in
 * one transaction that done waits for (the modem's acknowledgement).
 */
#include "store_ops_pg.h"
#include "store_pg.h"

#include <string.h>

void store_ops_pg_inbound(struct store *st, const struct store_inbound *req,
			  struct store_inbound_out *out, store_done_fn done,
			  void *ud)
{
	struct pg_store *ps;

	memset(out, 0, sizeof(*out));
	ps = store_ops_pg_backend(st, done, ud);
	if (ps)
		pg_store_op_inbound_pdu(ps, req, out, done, ud);
}

void store_ops_pg_inbound_timeout(struct store *st,
				  const struct store_inbound_timeout *req,
				  struct store_inbound_out *out,
				  store_done_fn done, void *ud)
{
	struct pg_store *ps;

	memset(out, 0, sizeof(*out));
	ps = store_ops_pg_backend(st, done, ud);
	if (ps)
		pg_store_op_inbound_timeout(ps, req, out, done, ud);
}
