/*
 * A +CMS/+CME ERROR code read through the modem's driver: the family's
 * own row (its manual's meaning and class) first, then its parents', then
 * the generic table (gateway/policy/errclass.c). One check per class a
 * driver declares, and the tables' shape for every driver.
 */
#include "harness.h"
#include "driver.h"
#include "errclass.h"

#include <string.h>

static struct errclass_info via(const struct driver *d, bool cme, int code)
{
	struct driver r;

	/* As the modem holds it: the resolved copy. */
	CHECK_INT(driver_resolve(d, &r), 0);
	return errclass_driver(&r, cme, code);
}

TEST(errclass_driver_quectel_512_is_sim_not_ready_not_the_generic_meaning)
{
	struct errclass_info g = errclass_driver(&driver_generic, false, 512);
	struct errclass_info q = via(&driver_quectel, false, 512);

	CHECK_INT(g.cls, ERRCLASS_TEMPORARY);
	CHECK_STR(g.text, "MM establishment failure");
	CHECK_INT(q.cls, ERRCLASS_MODEM_STATE);
	CHECK_STR(q.text, "SIM not ready");
	/* Permanent: the message's own fault. */
	q = via(&driver_quectel, false, 513);
	CHECK_INT(q.cls, ERRCLASS_PERMANENT);
	CHECK(q.flags & ERRCLASS_FLAG_BAD_PDU);
	CHECK_STR(q.text, "message length exceeds");
	q = via(&driver_quectel, false, 529);
	CHECK_INT(q.cls, ERRCLASS_PERMANENT);
	CHECK(q.flags & ERRCLASS_FLAG_SIM_SUSPECT);
	/* Not declared: the generic row. */
	q = via(&driver_quectel, false, 42);
	CHECK_STR(q.text, "congestion");
	CHECK_INT(q.min_backoff_s, 30);
	/* NULL driver: the generic table. */
	CHECK_STR(errclass_driver(NULL, false, 513).text,
		  errclass_cms(513).text);
}

TEST(errclass_driver_each_declared_class_through_its_driver)
{
	static const struct {
		const char *driver;
		bool cme;
		int code;
		enum errclass cls;
		unsigned flag;
		int backoff;
		const char *text;
	} rows[] = {
		{ "telit", false, 512, ERRCLASS_TEMPORARY, 0, 5,
		  "no SM resources" },
		{ "telit", false, 513, ERRCLASS_AMBIGUOUS, 0, 0,
		  "TR1M timeout" },
		{ "telit", false, 510, ERRCLASS_PERMANENT,
		  ERRCLASS_FLAG_SIM_SUSPECT, 0, "msg blocked" },
		{ "ublox", false, 350, ERRCLASS_PERMANENT,
		  ERRCLASS_FLAG_BAD_NUMBER, 0,
		  "unassigned (unallocated) number" },
		{ "ublox", false, 362, ERRCLASS_TEMPORARY, 0, 30,
		  "congestion or resources unavailable" },
		{ "ublox", false, 604, ERRCLASS_MODEM_STATE,
		  ERRCLASS_FLAG_NO_NETWORK, 0,
		  "MM no service (out of coverage)" },
		{ "ublox", false, 538, ERRCLASS_AMBIGUOUS, 0, 0,
		  "MS network connection lost" },
		{ "simcom", false, 513, ERRCLASS_PERMANENT,
		  ERRCLASS_FLAG_BAD_PDU, 0,
		  "message length exceeds maximum or invalid request "
		  "parameters" },
		{ "simcom", false, 225, ERRCLASS_AMBIGUOUS, 0, 0,
		  "RP TR1M timeout" },
		{ "simcom", false, 531, ERRCLASS_MODEM_STATE,
		  ERRCLASS_FLAG_STORAGE_FULL, 0, "ME storage full" },
		{ "cinterion", false, 512, ERRCLASS_TEMPORARY, 0, 5,
		  "user abort" },
		{ "cinterion", false, 532, ERRCLASS_MODEM_STATE, 0, 0,
		  "SIM not ready" },
		{ "cinterion", true, 262, ERRCLASS_MODEM_STATE,
		  ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM blocked" },
		{ "wavecom", false, 513, ERRCLASS_AMBIGUOUS, 0, 0,
		  "lower layer failure (for SMS)" },
		{ "wavecom", true, 515, ERRCLASS_TEMPORARY, 0, 5,
		  "please wait, init or command processing in progress" },
		{ "huawei", true, 258, ERRCLASS_TEMPORARY, 0, 5,
		  "retry operation" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct driver *d = driver_find(rows[i].driver);
		struct errclass_info e;

		CHECK(d != NULL);
		if (!d)
			continue;
		e = via(d, rows[i].cme, rows[i].code);
		CHECK_INT(e.cls, rows[i].cls);
		CHECK_INT(e.flags & rows[i].flag, rows[i].flag);
		CHECK_INT(e.min_backoff_s, rows[i].backoff);
		CHECK_STR(e.text, rows[i].text);
	}
	/* +CMS and +CME are apart: Cinterion's +CME 262 is not a +CMS. */
	CHECK_STR(via(driver_find("cinterion"), false, 262).text,
		  errclass_cms(262).text);
}

/* A driver built on another adds to its parent's rows; its own win. */
static const struct driver_error child_errors[] = {
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_TEMPORARY, 0, 7,
	  "child's own 512" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

static const struct driver driver_child = {
	.name = "child",
	.parent = &driver_quectel,
	.errors = child_errors,
};

TEST(errclass_driver_the_parent_chain_applies)
{
	struct errclass_info e = via(&driver_child, false, 512);

	CHECK_INT(e.cls, ERRCLASS_TEMPORARY);
	CHECK_INT(e.min_backoff_s, 7);
	CHECK_STR(e.text, "child's own 512");
	/* The parent's row. */
	e = via(&driver_child, false, 531);
	CHECK_STR(e.text, "ME storage full");
	CHECK(driver_error_find(&driver_child, DRIVER_ERR_CMS, 331) == NULL);
}

TEST(errclass_driver_every_table_is_well_formed)
{
	for (size_t i = 0; driver_table[i]; i++)
		for (const struct driver_error *e = driver_table[i]->errors;
		     e && e->kind != DRIVER_ERR_END; e++) {
			CHECK(e->kind == DRIVER_ERR_CMS ||
			      e->kind == DRIVER_ERR_CME);
			CHECK(e->lo > 0 && e->lo <= e->hi);
			CHECK(e->cls <= ERRCLASS_MODEM_STATE);
			CHECK(e->meaning && e->meaning[0]);
			CHECK(e->cls == ERRCLASS_TEMPORARY ||
			      e->min_backoff_s == 0);
			/* The first row for a code is the one used. */
			CHECK(driver_error_find(driver_table[i], e->kind,
						e->lo) == e);
		}
}
