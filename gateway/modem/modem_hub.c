/*
 * modem_hub — the last rung of the recovery ladder, where the operator
 * allows it: power-cycle the modem's USB hub port with uhubctl
 * (https://github.com/mvp/uhubctl; Debian package uhubctl). A modem hung
 * so hard that neither AT+CFUN=1,1 nor reopening its tty brings it back
 * usually needs its power taken away; in a pool of 128 that must not need
 * a person. Opt-in per modem with hub_port = "LOCATION:PORT" (as
 * `uhubctl` lists them, e.g. "1-1.4:3"), and only on hubs that switch
 * power per port. uhubctl runs with posix_spawnp (found on PATH), watched
 * with a pidfd; the modem's tty disappearing and coming back is noticed by
 * modem_watch, as after a replug.
 */
#include "modem_priv.h"
#include "modem_hub.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* uhubctl -d: seconds the port stays off. */
#define MODEM_HUB_OFF_S "3"

static void modem_hub_done(struct loop_watch *w, uint32_t events, void *ud)
{
	struct modem *m = ud;
	siginfo_t si = { 0 };
	int status = -1;

	(void)events;
	if (waitid((idtype_t)P_PIDFD, (id_t)m->hub.pidfd, &si,
		   WEXITED | WNOHANG) == 0 && si.si_pid == 0)
		return;		/* not yet */
	if (si.si_code == CLD_EXITED)
		status = si.si_status;
	loop_watch_del(w);
	close(m->hub.pidfd);
	m->hub.pidfd = -1;
	modem_event(m, status == 0 ? MODEM_EVENT_WARNING : MODEM_EVENT_ERROR,
		    "power-cycled hub port %s (uhubctl %s)", m->mcfg->hub_port,
		    status == 0 ? "ok" : "failed");
	/* Try the tty now, whether or not inotify sees it come back: as if
	 * its name appeared. Not back yet, the modem waits absent for
	 * inotify (modem_fsm.c). */
	modem_fsm_event(m, MODEM_EV_APPEARED, NULL);
}

bool modem_hub_cycle(struct modem *m)
{
	const char *spec = m->mcfg->hub_port;
	char loc[64], port[16];
	const char *colon;
	char *argv[] = { "uhubctl", "-l", loc, "-p", port, "-a", "cycle",
			 "-d", MODEM_HUB_OFF_S, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (!spec || !spec[0] || m->hub.pidfd > 0)
		return false;
	colon = strrchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(loc))
		return false;
	snprintf(loc, sizeof(loc), "%.*s", (int)(colon - spec), spec);
	snprintf(port, sizeof(port), "%s", colon + 1);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, "uhubctl", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		modem_event(m, MODEM_EVENT_ERROR,
			    "cannot run uhubctl for hub port %s: %s", spec,
			    strerror(rc));
		return false;
	}
	m->hub.pidfd = pidfd_open(pid, 0);
	if (m->hub.pidfd < 0 ||
	    loop_watch_add(m->loop, &m->hub.watch, m->hub.pidfd, EPOLLIN,
			   modem_hub_done, m) < 0) {
		waitpid(pid, NULL, 0);
		if (m->hub.pidfd >= 0)
			close(m->hub.pidfd);
		m->hub.pidfd = -1;
		modem_event(m, MODEM_EVENT_WARNING,
			    "power-cycled hub port %s", spec);
		return true;
	}
	log_notice("%s: power-cycling hub port %s (uhubctl -l %s -p %s)",
		   m->source, spec, loc, port);
	return true;
}

void modem_hub_stop(struct modem *m)
{
	if (m->hub.pidfd <= 0)
		return;
	loop_watch_del(&m->hub.watch);
	close(m->hub.pidfd);
	m->hub.pidfd = -1;
}
