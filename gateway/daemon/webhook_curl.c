/*
 * webhook_curl — libcurl's multi interface on the daemon's loop: each
 * socket curl wants watched is a loop watch (CURLMOPT_SOCKETFUNCTION), its
 * one timeout a loop timer (CURLMOPT_TIMERFUNCTION); readiness goes back
 * with curl_multi_socket_action(). No thread, no select().
 */
#include "webhook_priv.h"
#include "clock.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct webhook_sock {
	struct loop_watch watch;
	struct webhook *wh;
	curl_socket_t fd;
};

static void webhook_curl_finish(struct webhook *wh)
{
	struct CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(wh->multi, &left))) {
		struct webhook_job **pp, *job = NULL;
		long status = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		for (pp = &wh->jobs; *pp; pp = &(*pp)->next) {
			if ((*pp)->easy == m->easy_handle) {
				job = *pp;
				*pp = job->next;
				break;
			}
		}
		if (!job)
			continue;
		curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
		webhook_done(wh, job, status,
			     m->data.result == CURLE_OK ? NULL
			     : job->error[0] ? job->error
					     : curl_easy_strerror(m->data.result));
		curl_multi_remove_handle(wh->multi, job->easy);
		curl_easy_cleanup(job->easy);
		curl_slist_free_all(job->headers);
		free(job->body);
		free(job);
		wh->running--;
		webhook_kick(wh);
	}
}

static void webhook_curl_on_fd(struct loop_watch *w, uint32_t events, void *ud)
{
	struct webhook_sock *sk = ud;
	struct webhook *wh = sk->wh;
	int flags = 0, running;

	(void)w;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	/* sk may be freed inside: do not touch it after this. */
	curl_multi_socket_action(wh->multi, sk->fd, flags, &running);
	webhook_curl_finish(wh);
}

static int webhook_curl_socket(CURL *easy, curl_socket_t fd, int what,
			       void *userp, void *socketp)
{
	struct webhook *wh = userp;
	struct webhook_sock *sk = socketp;
	uint32_t ev = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (sk) {
			loop_watch_del(&sk->watch);
			curl_multi_assign(wh->multi, fd, NULL);
			free(sk);
		}
		return 0;
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= EPOLLIN;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= EPOLLOUT;
	if (sk)
		return loop_watch_set(&sk->watch, ev) < 0 ? -1 : 0;
	sk = calloc(1, sizeof(*sk));
	if (!sk)
		return -1;
	sk->wh = wh;
	sk->fd = fd;
	if (loop_watch_add(wh->loop, &sk->watch, fd, ev, webhook_curl_on_fd,
			   sk) < 0) {
		free(sk);
		return -1;
	}
	curl_multi_assign(wh->multi, fd, sk);
	return 0;
}

static int webhook_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
	struct webhook *wh = userp;

	(void)multi;
	if (timeout_ms < 0)
		loop_timer_disarm(&wh->curl_timer);
	else
		loop_timer_arm(&wh->curl_timer, timeout_ms);
	return 0;
}

static int64_t webhook_curl_on_timer(struct loop_timer *t, void *ud)
{
	struct webhook *wh = ud;
	int running;

	(void)t;
	curl_multi_socket_action(wh->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	webhook_curl_finish(wh);
	return LOOP_TIMER_DONE;
}

static size_t webhook_curl_discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

int webhook_curl_init(struct webhook *wh)
{
	static bool global;

	if (!global) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -EIO;
		global = true;
	}
	wh->multi = curl_multi_init();
	if (!wh->multi)
		return -ENOMEM;
	loop_timer_init(wh->loop, &wh->curl_timer, webhook_curl_on_timer, wh);
	curl_multi_setopt(wh->multi, CURLMOPT_SOCKETFUNCTION, webhook_curl_socket);
	curl_multi_setopt(wh->multi, CURLMOPT_SOCKETDATA, wh);
	curl_multi_setopt(wh->multi, CURLMOPT_TIMERFUNCTION, webhook_curl_timer);
	curl_multi_setopt(wh->multi, CURLMOPT_TIMERDATA, wh);
	return 0;
}

void webhook_curl_cleanup(struct webhook *wh)
{
	while (wh->jobs) {
		struct webhook_job *job = wh->jobs;

		wh->jobs = job->next;
		curl_multi_remove_handle(wh->multi, job->easy);
		curl_easy_cleanup(job->easy);
		curl_slist_free_all(job->headers);
		free(job->body);
		free(job);
	}
	if (wh->multi)
		curl_multi_cleanup(wh->multi);
	wh->multi = NULL;
	loop_timer_disarm(&wh->curl_timer);
}

unsigned webhook_curl_running(const struct webhook *wh, const char *name)
{
	unsigned n = 0;

	for (const struct webhook_job *j = wh->jobs; j; j = j->next)
		n += strcmp(j->webhook, name) == 0;
	return n;
}

bool webhook_curl_busy(const struct webhook *wh, int64_t id)
{
	for (const struct webhook_job *j = wh->jobs; j; j = j->next)
		if (j->id == id)
			return true;
	return false;
}

static struct curl_slist *webhook_curl_headers(const struct webhook_job *job,
					       const struct config_webhook *w)
{
	char line[256], sig[160];
	struct curl_slist *h = NULL;

	webhook_signature(w->secret, clock_now_ms() / 1000, job->body,
			  strlen(job->body), sig, sizeof(sig));
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Expect:");
	snprintf(line, sizeof(line), "Smsgw-Event: %s", job->event);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Smsgw-Event-Id: %s", job->uid);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Smsgw-Signature: %s", sig);
	h = curl_slist_append(h, line);
	return h;
}

void webhook_curl_start(struct webhook *wh, const struct webhook_job *tmpl,
			const struct config_webhook *w)
{
	struct webhook_job *job = malloc(sizeof(*job));

	if (!job) {
		free(tmpl->body);
		return;
	}
	*job = *tmpl;
	job->error[0] = '\0';
	job->easy = curl_easy_init();
	job->headers = webhook_curl_headers(job, w);
	if (!job->easy || !job->headers) {
		webhook_done(wh, job, 0, "out of memory");
		curl_easy_cleanup(job->easy);
		curl_slist_free_all(job->headers);
		free(job->body);
		free(job);
		return;
	}
	curl_easy_setopt(job->easy, CURLOPT_URL, w->url);
	curl_easy_setopt(job->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(job->easy, CURLOPT_POSTFIELDS, job->body);
	curl_easy_setopt(job->easy, CURLOPT_POSTFIELDSIZE,
			 (long)strlen(job->body));
	curl_easy_setopt(job->easy, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(job->easy, CURLOPT_USERAGENT, "smsgw/" SMSGW_VERSION);
	curl_easy_setopt(job->easy, CURLOPT_TIMEOUT_MS, (long)w->timeout_ms);
	curl_easy_setopt(job->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(job->easy, CURLOPT_ERRORBUFFER, job->error);
	curl_easy_setopt(job->easy, CURLOPT_WRITEFUNCTION, webhook_curl_discard);
	job->next = wh->jobs;
	wh->jobs = job;
	wh->running++;
	curl_multi_add_handle(wh->multi, job->easy);
}
