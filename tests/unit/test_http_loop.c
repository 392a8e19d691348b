/*
 * The HTTP server and the webhook client together on one real event loop
 * (and so under ASan and UBSan in `make check`): a client socket driven by
 * loop_run_once() asks the server; a webhook aimed at the same server
 * goes out through libcurl's multi interface on that loop, is refused
 * (no token: 401) and is rescheduled with its backoff.
 */
#include "glue_rig.h"
#include "http.h"
#include "spool.h"
#include "token.h"
#include "webhook.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOKEN "smsgw_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Sends req and runs the loop until the server closes; the answer's
 * status, and its text in buf. */
static int ask(struct loop *loop, int port, const char *req, char *buf,
	       size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	size_t used = 0, sent = 0, len = strlen(req);
	int status = -1;

	connect(fd, (struct sockaddr *)&a, sizeof(a));
	for (int i = 0; i < 2000; i++) {
		ssize_t n;

		loop_run_once(loop, 5);
		if (sent < len) {
			n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			continue;
		}
		n = recv(fd, buf + used, size - 1 - used, 0);
		if (n == 0)
			break;
		if (n > 0)
			used += (size_t)n;
	}
	buf[used] = '\0';
	close(fd);
	sscanf(buf, "HTTP/1.%*d %d", &status);
	return status;
}

static void request(char *out, size_t size, const char *method,
		    const char *path, const char *token, const char *body)
{
	snprintf(out, size, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		 "%s%s%sContent-Length: %zu\r\n\r\n%s", method, path,
		 token ? "Authorization: Bearer " : "", token ? token : "",
		 token ? "\r\n" : "", body ? strlen(body) : 0,
		 body ? body : "");
}

TEST(server_and_webhooks_on_one_loop)
{
	struct config *cfg;
	struct loop *loop;
	struct store *st;
	struct sim_registry reg;
	struct spool *sp = NULL;
	struct http *h = NULL;
	struct webhook *wh = NULL;
	char conf[1024], req[1024], path[600], err[256];
	struct spool_dirs dirs;
	static char buf[65536];
	int port = free_port();

	snprintf(conf, sizeof(conf),
		 "http {\n  listen = \"127.0.0.1:%d\"\n  max_body = 300\n}\n"
		 "webhook \"self\" {\n  url = \"http://127.0.0.1:%d/hook\"\n"
		 "  events = {\"received\"}\n  secret = \"0123456789abcdef\"\n}\n",
		 port, port);
	if (!rig_open("loop", conf, &cfg, &loop, &st, &reg))
		return;
	spool_dirs_init(&dirs);
	if (!CHECK_INT(spool_dirs_open(cfg->spool, true, &dirs, err,
				       sizeof(err)), 0))
		printf("# %s\n", err);
	CHECK_INT(spool_new(loop, st, cfg, &reg, &dirs, NULL, NULL, &sp), 0);
	{
		const struct http_deps deps = { .loop = loop, .store = st,
						.spool = sp, .reg = &reg };

		CHECK_INT(http_new(&deps, cfg, &h), 0);
	}
	CHECK_INT(webhook_new(loop, st, cfg, &wh), 0);
	CHECK_INT(token_add(st, "t", TOKEN, TOKEN_RIGHT_SEND | TOKEN_RIGHT_READ,
			    1), 0);

	request(req, sizeof(req), "GET", "/v1/sims", NULL, NULL);
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 401);
	request(req, sizeof(req), "POST", "/v1/messages", TOKEN,
		"{\"to\": \"+15551230001\", \"text\": \"hi\", \"id\": \"a\"}");
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 202);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"), 1);
	CHECK(strstr(buf, "Server-Timing: commit;dur=") != NULL);
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 202);
	CHECK(strstr(buf, "\"duplicate\":true") != NULL);
	request(req, sizeof(req), "POST", "/v1/messages", TOKEN,
		"{\"to\": \"12\", \"text\": \"hi\"}");
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 422);
	request(req, sizeof(req), "POST", "/v1/messages", TOKEN, "{\"to\": [");
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 400);
	request(req, sizeof(req), "GET", "/", TOKEN, NULL);
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 200);
	CHECK(strstr(buf, "sends-per-minute") != NULL);
	snprintf(path, sizeof(path), "{\"to\": \"+15551230001\", \"text\": "
		 "\"%0300d\"}", 0);
	request(req, sizeof(req), "POST", "/v1/messages", TOKEN, path);
	CHECK_INT(ask(loop, port, req, buf, sizeof(buf)), 413);

	/* A reply: the trigger queues it, the webhook posts it to our own
	 * server, which wants a token: 401, so it is due again later. */
	sqlite3_exec(store_db(st), "INSERT INTO inbound (received_at, sender,"
		     " body, updated_at) VALUES (1, '+15551230001', 'hi', 1)",
		     NULL, NULL, NULL);
	webhook_poke(wh);
	for (int i = 0; i < 2000 && db_int(st, "SELECT attempts FROM"
					       " webhook_delivery") < 1; i++)
		loop_run_once(loop, 5);
	CHECK_INT(db_int(st, "SELECT attempts FROM webhook_delivery"), 1);
	CHECK_STR(rig_text(st, "SELECT last_error FROM webhook_delivery"),
		  "HTTP 401");
	CHECK_STR(rig_text(st, "SELECT state FROM webhook_delivery"),
		  "pending");
	CHECK(db_int(st, "SELECT next_at - created_at FROM"
			     " webhook_delivery") >= 900);

	webhook_free(wh);
	http_free(h);
	spool_free(sp);
	spool_dirs_close(&dirs);
	rig_close(cfg, loop, st, &reg);
}
