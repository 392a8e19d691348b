/*
 * The pure parts of the HTTP API and webhooks: token rights, token hashes
 * (SHA-256, FIPS 180-2 test vector), webhook signatures (HMAC-SHA256 over
 * "<t>.<body>", checked against Python's hmac), backoff, the listen
 * address, the http and webhook sections of the config, and tokens and the
 * webhook triggers in a real database.
 */
#include "config.h"
#include "harness.h"
#include "http_json_spool.h"
#include "store.h"
#include "store_tmp.h"
#include "token.h"
#include "webhook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(token_rights_round_trip)
{
	char err[128], buf[32];
	unsigned r;

	CHECK(token_rights_parse("send,read", &r, err, sizeof(err)));
	CHECK_INT(r, TOKEN_RIGHT_SEND | TOKEN_RIGHT_READ);
	token_rights_format(r, buf, sizeof(buf));
	CHECK_STR(buf, "send,read");
	CHECK(token_rights_parse("admin, send", &r, err, sizeof(err)));
	token_rights_format(r, buf, sizeof(buf));
	CHECK_STR(buf, "send,admin");
	CHECK(!token_rights_parse("send,root", &r, err, sizeof(err)));
	CHECK(strstr(err, "'root'") != NULL);
	CHECK(!token_rights_parse("", &r, err, sizeof(err)));
	CHECK(!token_rights_parse(",", &r, err, sizeof(err)));
}

TEST(token_hash_is_sha256)
{
	char hex[TOKEN_HASH_LEN + 1], tok[TOKEN_LEN + 1], tok2[TOKEN_LEN + 1];

	token_hash("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223"
		       "b00361a396177a9cb410ff61f20015ad");
	CHECK_INT(token_generate(tok, sizeof(tok)), 0);
	CHECK_INT(token_generate(tok2, sizeof(tok2)), 0);
	CHECK_INT(strlen(tok), TOKEN_LEN);
	CHECK(strncmp(tok, "smsgw_", 6) == 0);
	CHECK(strcmp(tok, tok2) != 0);
}

TEST(webhook_signature_vectors)
{
	char sig[160];

	/* HMAC-SHA256("secret", "1700000000.{\"a\":1}"), from Python's
	 * hmac.new(b"secret", b'1700000000.{"a":1}', hashlib.sha256). */
	webhook_signature("secret", 1700000000, "{\"a\":1}", 7, sig, sizeof(sig));
	CHECK_STR(sig, "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9"
		       "a47ee99cbbe071ccd8a22550ae411686");
	/* The body is bytes, not a C string: a NUL inside is signed too. */
	webhook_signature("secret", 1, "a\0b", 3, sig, sizeof(sig));
	CHECK(strncmp(sig, "t=1,v1=", 7) == 0);
	CHECK_INT(strlen(sig), 7 + 64);
}

TEST(webhook_backoff_doubles_to_five_minutes)
{
	CHECK_INT(webhook_backoff_ms(1), 1000);
	CHECK_INT(webhook_backoff_ms(2), 2000);
	CHECK_INT(webhook_backoff_ms(3), 4000);
	CHECK_INT(webhook_backoff_ms(9), 256000);
	CHECK_INT(webhook_backoff_ms(10), 300000);
	CHECK_INT(webhook_backoff_ms(1000), 300000);
}

TEST(listen_addresses)
{
	char host[64];
	int port;

	CHECK(config_http_split_listen("127.0.0.1:8080", host, sizeof(host), &port));
	CHECK_STR(host, "127.0.0.1");
	CHECK_INT(port, 8080);
	CHECK(config_http_split_listen("[::1]:9000", host, sizeof(host), &port));
	CHECK_STR(host, "::1");
	CHECK_INT(port, 9000);
	CHECK(config_http_split_listen(":80", host, sizeof(host), &port));
	CHECK_STR(host, "");
	CHECK(!config_http_split_listen("8080", host, sizeof(host), &port));
	CHECK(!config_http_split_listen("host:0", host, sizeof(host), &port));
	CHECK(!config_http_split_listen("host:65536", host, sizeof(host), &port));
	CHECK(!config_http_split_listen("host:80x", host, sizeof(host), &port));
	CHECK(!config_http_split_listen("[::1]8080", host, sizeof(host), &port));
}

TEST(config_http_defaults_and_sections)
{
	const char *p = harness_write_file("http.conf",
		"http {\n}\n"
		"webhook \"crm\" {\n"
		"    url = \"http://127.0.0.1:9000/sms\"\n"
		"    events = {\"received\", \"optout\"}\n"
		"    secret = \"0123456789abcdef\"\n"
		"}\n");
	struct config *c;
	char err[1024];

	if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	/* Loopback by default. */
	CHECK_STR(c->http.listen, "127.0.0.1:8080");
	CHECK_INT(c->http.max_body, CONFIG_HTTP_MAX_BODY);
	CHECK_INT(c->http.rate_limit, CONFIG_HTTP_RATE_LIMIT);
	CHECK_INT(c->http.timeout_ms, CONFIG_HTTP_TIMEOUT_MS);
	CHECK_INT(c->nwebhooks, 1);
	CHECK_STR(c->webhooks[0].name, "crm");
	CHECK_INT(c->webhooks[0].events,
		  WEBHOOK_EVENT_RECEIVED | WEBHOOK_EVENT_OPTOUT);
	CHECK_INT(c->webhooks[0].give_up_ms, 24LL * 3600 * 1000);
	config_free(c);

	p = harness_write_file("none.conf", "spool = \"/tmp/x\"\n");
	CHECK_INT(config_load(p, &c, err, sizeof(err)), 0);
	CHECK(c->http.listen == NULL);	/* off unless configured */
	config_free(c);
}

TEST(config_http_errors)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "http { listen = \"localhost\" }\n", "listen" },
		{ "http { max_body = 10 }\n", "max_body" },
		{ "http { timeout = \"5h\" }\n", "timeout" },
		{ "http { rate_limit = 0 }\n", "rate_limit" },
		{ "webhook \"a\" { url = \"ftp://x\" secret = \"0123456789abcdef\" }\n",
		  "url" },
		{ "webhook \"a\" { url = \"http://x\" secret = \"short\" }\n",
		  "secret" },
		{ "webhook \"a\" { url = \"http://x\" secret = \"0123456789abcdef\""
		  " events = {\"sent\", \"exploded\"} }\n", "exploded" },
		{ "webhook \"a\" { url = \"http://x\" secret = \"0123456789abcdef\""
		  " give_up = \"0\" }\n", "give_up" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config *c;
		char err[1024];
		const char *p = harness_write_file("bad.conf", bad[i].text);

		if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), -1)) {
			config_free(c);
			continue;
		}
		if (!CHECK(strstr(err, bad[i].want) && strstr(err, "bad.conf:")))
			printf("# case %zu: %s\n", i, err);
	}
}

TEST(tokens_in_the_database)
{
	char path[512], err[256], name[65];
	struct store *st;
	unsigned rights;

	snprintf(path, sizeof(path), "%s/t.db", harness_tmpdir());
	if (!CHECK_INT(store_open(path, STORE_OPEN_CREATE, &st, err, sizeof(err)), 0))
		return;
	CHECK_INT(token_add(st, "app", "smsgw_secret", TOKEN_RIGHT_READ, 1), 0);
	CHECK_INT(token_add(st, "app", "smsgw_other", TOKEN_RIGHT_READ, 1), -EEXIST);
	/* Only the hash is stored. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM api_token WHERE hash LIKE"
			    " '%secret%'"), 0);
	/* A token of the wrong length is refused before any lookup. */
	CHECK_INT(token_lookup(st, "smsgw_secret", 12, name, sizeof(name),
			       &rights), 0);
	CHECK_INT(token_remove(st, "app"), 0);
	CHECK_INT(token_remove(st, "app"), -ENOENT);
	store_close(st);
}

TEST(webhook_triggers_follow_subscriptions)
{
	char path[512], err[256];
	struct store *st;

	snprintf(path, sizeof(path), "%s/w.db", harness_tmpdir());
	if (!CHECK_INT(store_open(path, STORE_OPEN_CREATE, &st, err, sizeof(err)), 0))
		return;
	sqlite3_exec(store_db(st),
		"INSERT INTO inbound (received_at, sender, body, updated_at)"
		" VALUES (1, '+1555', 'a', 1);", NULL, NULL, NULL);
	/* No subscriber: nothing queued. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM webhook_event"), 0);
	sqlite3_exec(store_db(st),
		"INSERT INTO webhook_sub VALUES ('received'), ('delivered');"
		"INSERT INTO inbound (received_at, sender, body, updated_at)"
		" VALUES (2, '+1555', 'b', 2);"
		"INSERT INTO message (created_at, recipient, body, kind, class,"
		" state, updated_at) VALUES (3, '+1555', 'c', 'direct', 0,"
		" 'queued', 3);"
		"UPDATE message SET state = 'sent', updated_at = 4;"
		"UPDATE message SET state = 'delivered', updated_at = 5;"
		"UPDATE message SET state = 'delivered', updated_at = 6;",
		NULL, NULL, NULL);
	CHECK_INT(db_int(st, "SELECT count(*) FROM webhook_event"), 2);
	CHECK_INT(db_int(st, "SELECT count(*) FROM webhook_event WHERE event ="
			    " 'delivered' AND at = 5"), 1);
	store_close(st);
}

TEST(json_to_spool_text)
{
	struct http_json_spool_error e;
	size_t len;
	json_t *req = json_pack("{s:[s,s], s:s, s:s, s:b, s:i}", "to",
				"+15551230001", "0170 1234567", "text",
				"Hi\n\nthere", "campaign", "spring", "report", 1,
				"validity", 30);
	char *text = http_json_spool(req, &e, &len);

	CHECK_STR(text, "To: +15551230001\nTo: 0170 1234567\n"
			"Campaign: spring\nValidity: 30\nReport: yes\n"
			"Alphabet: UTF-8\n\nHi\n\nthere");
	free(text);
	json_decref(req);

	/* A line break in a header member would be a header of its own. */
	req = json_pack("{s:s, s:s, s:s}", "to", "+15551230001", "text", "x",
			"id", "a\nTo: +19995550000");
	CHECK(http_json_spool(req, &e, &len) == NULL);
	CHECK_STR(e.field, "id");
	json_decref(req);

	/* fuzz_http_json found: an empty member name still names a member. */
	req = json_pack("{s:[], s:s}", "to", "", "x");
	CHECK(http_json_spool(req, &e, &len) == NULL);
	CHECK_STR(e.field, "\"\"");
	json_decref(req);
}
