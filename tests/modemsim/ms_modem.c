/*
 * ms_modem — one simulated modem's port: the pty behind its symlink, the
 * bytes in and out, power-on and the boot URCs, and the bad days (hang,
 * unplug, garbage, URC noise, slow output).
 *
 * The simulator keeps the pty's slave side open itself, so the master never
 * reports a hang-up while no client has the port open; on unplug both
 * sides close and a client that has the port open reads EIO / gets POLLHUP
 * as from a USB serial device that went away.
 */
#include "ms.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void ms_modem_input(struct ms_modem *m, const char *buf, size_t len);
static void ms_modem_boot_start(struct ms_modem *m);

double ms_modem_random(struct ms_modem *m)
{
	return (double)(ms_util_rand(&m->rng) >> 11) / 9007199254740992.0;
}

/* A gap around mean: uniform in [mean/2, 3*mean/2]. */
static int64_t ms_modem_gap(struct ms_modem *m, int mean)
{
	return mean / 2 + (int64_t)(ms_modem_random(m) * mean) + 1;
}

struct ms_slot *ms_modem_slot(struct ms_modem *m)
{
	return &m->slots[m->active];
}

bool ms_modem_sim_ready(const struct ms_modem *m)
{
	const struct ms_slot *sl = &m->slots[m->active];

	return sl->present && (!sl->pin[0] || sl->unlocked);
}

void ms_modem_settings_reset(struct ms_modem *m)
{
	struct ms_settings *s = &m->set;

	memset(s, 0, sizeof(*s));
	s->echo = m->knobs.echo && m->pers->echo;
	s->cmee = m->pers->cmee;
	snprintf(s->cscs, sizeof(s->cscs), "%s", m->pers->cscs);
	memcpy(s->cnmi, m->pers->cnmi, sizeof(s->cnmi));
	if (m->pers->mem3_me)
		s->mem[0] = s->mem[1] = s->mem[2] = 1;
	/* TS 27.005 §3.3.2: fo 17 (SUBMIT, relative VP), VP 167 (24 h). */
	s->csmp[0] = 17;
	s->csmp[1] = 167;
}

static void ms_modem_backlog_cb(struct loop_deferred *d, void *ud)
{
	struct ms_modem *m = ud;
	char buf[MS_BACKLOG_MAX];
	size_t len = m->backlen;

	(void)d;
	if (m->busy || !len)
		return;
	memcpy(buf, m->backlog, len);
	m->backlen = 0;
	ms_modem_input(m, buf, len);
}

void ms_modem_finish(struct ms_modem *m, enum ms_res res)
{
	if (res == MS_RES_ASYNC)
		return;
	ms_modem_final(m, res);
	m->busy = false;
	m->resp_started = false;
	ms_modem_urc_flush(m);
	if (m->backlen)
		loop_defer(&m->backlog_defer);
}

void ms_modem_prompt(struct ms_modem *m, enum ms_input mode)
{
	m->input = mode;
	m->linelen = 0;
	ms_modem_puts(m, "\r\n> ");
}

/* ---- input ---- */

static bool ms_modem_hang_check(struct ms_modem *m)
{
	m->ncommands++;
	if (m->knobs.hang_after && m->ncommands >= m->knobs.hang_after) {
		m->knobs.hang_after = 0;
		ms_modem_hang(m, true);
	} else if (m->knobs.hang_rate > 0 &&
		   ms_modem_random(m) < m->knobs.hang_rate) {
		ms_modem_hang(m, true);
	}
	return m->hung;
}

static void ms_modem_command_line(struct ms_modem *m)
{
	char *p = m->line;

	m->line[m->linelen] = 0;
	m->linelen = 0;
	/* V.250 §5.2.1: anything before "AT" is ignored, and so is a line
	 * without it. */
	while (p[0] && !((p[0] == 'A' || p[0] == 'a') &&
			 (p[1] == 'T' || p[1] == 't')))
		p++;
	if (!p[0])
		return;
	if (ms_modem_hang_check(m))
		return;
	m->busy = true;
	m->resp_started = false;
	ms_at_line(m, p + 2);
}

static void ms_modem_body_byte(struct ms_modem *m, char c)
{
	if (c == 0x1a || c == 0x1b) {
		m->line[m->linelen] = 0;
		m->input = MS_INPUT_COMMAND;
		m->linelen = 0;
		ms_sms_body(m, m->line, c == 0x1a);
		/* +CNMI mode 3: what came during the entry goes out now,
		 * while the send itself runs. */
		ms_modem_urc_flush(m);
		return;
	}
	if (m->input == MS_INPUT_PDU && (c == '\r' || c == '\n'))
		return;
	if (m->input == MS_INPUT_TEXT && c == '\r') {
		/* TS 27.005 §3.5.1: each <CR> gives a new "> " line. */
		c = '\n';
		ms_modem_puts(m, "\r\n> ");
	} else if (m->input == MS_INPUT_TEXT && c == '\n') {
		return;
	}
	if (m->linelen + 1 < sizeof(m->line))
		m->line[m->linelen++] = c;
}

static void ms_modem_input(struct ms_modem *m, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];

		if (m->busy && m->input == MS_INPUT_COMMAND) {
			size_t rest = len - i;

			if (m->backlen + rest > sizeof(m->backlog))
				rest = sizeof(m->backlog) - m->backlen;
			memcpy(m->backlog + m->backlen, buf + i, rest);
			m->backlen += rest;
			return;
		}
		if (m->hung)
			return;
		if (m->set.echo)
			ms_modem_write(m, &c, 1);
		if (m->input != MS_INPUT_COMMAND) {
			ms_modem_body_byte(m, c);
			continue;
		}
		if (c == '\r') {
			ms_modem_command_line(m);
		} else if (c == '\b' || c == 0x7f) {
			if (m->linelen)
				m->linelen--;
		} else if (c != '\n' && c != 0) {
			if (m->linelen + 1 < sizeof(m->line))
				m->line[m->linelen++] = c;
		}
	}
}

static void ms_modem_io_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	struct ms_modem *m = ud;
	char buf[4096];
	ssize_t n;

	(void)w;
	if (events & EPOLLOUT)
		ms_modem_flush(m);
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = read(m->master, buf, sizeof(buf));
	if (n <= 0)
		return;
	ms_modem_trace_flush(m);
	ms_util_trace(m->log, m->name, '>', buf, (size_t)n);
	/* Booting or hung: the bytes are lost, as on the real thing. */
	if (m->power != MS_POWER_ON || m->hung)
		return;
	ms_modem_input(m, buf, (size_t)n);
}

/* ---- boot and registration ---- */

static int64_t ms_modem_reg_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;
	char line[64];
	int stat = m->knobs.reg;

	(void)t;
	if (m->power != MS_POWER_ON || !ms_modem_sim_ready(m) ||
	    m->cfun != 1)
		return LOOP_TIMER_DONE;
	m->registered = stat == 1 || stat == 5;
	if (m->set.creg_n) {
		snprintf(line, sizeof(line), "+CREG: %d", stat);
		ms_modem_urc_now(m, line);
	}
	if (m->set.cereg_n && m->pers->eps) {
		snprintf(line, sizeof(line), "+CEREG: %d", stat);
		ms_modem_urc_now(m, line);
	}
	ms_net_kick(m);
	return LOOP_TIMER_DONE;
}

/* Emits the next boot URC; returns false when the boot waits or ended. */
static bool ms_modem_boot_step(struct ms_modem *m)
{
	const struct ms_slot *sl = ms_modem_slot(m);

	while (m->pers->boot[m->boot_step].line) {
		const struct ms_boot_urc *b = &m->pers->boot[m->boot_step];
		bool emit;

		if (b->when != MS_BOOT_POWER)
			m->power = MS_POWER_ON;
		if (b->when == MS_BOOT_SIM_READY && !ms_modem_sim_ready(m))
			return false;	/* waits for the PIN (or a SIM) */
		m->boot_step++;
		emit = b->when == MS_BOOT_POWER ||
		       (b->when == MS_BOOT_SIM_PIN && sl->present &&
			sl->pin[0] && !sl->unlocked) ||
		       b->when == MS_BOOT_SIM_READY;
		if (!emit)
			continue;
		ms_modem_urc_now(m, b->line);
		if (b->sms_ready)
			m->sms_ready = true;
		return true;
	}
	m->power = MS_POWER_ON;
	if (ms_modem_sim_ready(m)) {
		m->sms_ready = true;
		loop_timer_arm(&m->reg_timer, m->knobs.reg_delay_ms);
	}
	return false;
}

static int64_t ms_modem_boot_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;
	int n = 0;

	(void)t;
	while (m->pers->boot[n].line)
		n++;
	if (!ms_modem_boot_step(m))
		return LOOP_TIMER_DONE;
	return m->knobs.boot_ms / (n + 1);
}

static void ms_modem_boot_start(struct ms_modem *m)
{
	m->power = MS_POWER_BOOTING;
	m->boots++;
	m->boot_step = 0;
	m->cfun = 1;
	m->registered = false;
	m->sms_ready = false;
	m->busy = false;
	m->input = MS_INPUT_COMMAND;
	m->linelen = 0;
	m->backlen = 0;
	m->ncommands = 0;
	ms_modem_urc_clear(m);
	for (int s = 0; s < m->nslots; s++)
		m->slots[s].unlocked = false;
	ms_modem_settings_reset(m);
	loop_timer_arm(&m->boot_timer, m->knobs.boot_ms / 4);
}

void ms_modem_sim_restart(struct ms_modem *m, int from)
{
	if (from >= 0) {
		const struct ms_boot_urc *b = m->pers->boot;

		/* The SIM part of the boot: from the first SIM line on. */
		m->boot_step = 0;
		while (b[m->boot_step].line &&
		       b[m->boot_step].when == MS_BOOT_POWER)
			m->boot_step++;
		m->registered = false;
		m->sms_ready = false;
		loop_timer_disarm(&m->reg_timer);
	}
	if (m->power == MS_POWER_OFF)
		return;
	loop_timer_arm(&m->boot_timer, from >= 0 ? m->knobs.boot_ms / 4 : 0);
}

/* ---- faults ---- */

static int64_t ms_modem_noise_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;
	char line[128];

	(void)t;
	if (!m->knobs.noise_ms)
		return LOOP_TIMER_DONE;
	ms_modem_noise_line(m, line, sizeof(line));
	ms_modem_urc_now(m, line);
	return ms_modem_gap(m, m->knobs.noise_ms);
}

static int64_t ms_modem_garbage_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;
	unsigned char junk[12];
	int n = 1 + (int)(ms_util_rand(&m->rng) % sizeof(junk));

	(void)t;
	if (!m->knobs.garbage_ms)
		return LOOP_TIMER_DONE;
	/* Line noise: high bytes, NULs and stray letters, never CR/LF, so it
	 * lands inside whatever line comes next. */
	for (int i = 0; i < n; i++) {
		junk[i] = (unsigned char)(ms_util_rand(&m->rng) & 0xff);
		if (junk[i] == '\r' || junk[i] == '\n')
			junk[i] = 0xff;
	}
	ms_modem_write(m, junk, (size_t)n);
	return ms_modem_gap(m, m->knobs.garbage_ms);
}

static int64_t ms_modem_hang_cb(struct loop_timer *t, void *ud)
{
	(void)t;
	ms_modem_hang(ud, true);
	return LOOP_TIMER_DONE;
}

void ms_modem_knobs_changed(struct ms_modem *m)
{
	if (m->power == MS_POWER_OFF)
		return;
	if (m->knobs.noise_ms && !loop_timer_armed(&m->noise_timer))
		loop_timer_arm(&m->noise_timer,
			       ms_modem_gap(m, m->knobs.noise_ms));
	if (m->knobs.garbage_ms && !loop_timer_armed(&m->garbage_timer))
		loop_timer_arm(&m->garbage_timer,
			       ms_modem_gap(m, m->knobs.garbage_ms));
	if (m->knobs.hang_in_ms) {
		loop_timer_arm(&m->hang_timer, m->knobs.hang_in_ms);
		m->knobs.hang_in_ms = 0;
	}
	m->ncommands = 0;
}

void ms_modem_hang(struct ms_modem *m, bool hang)
{
	if (hang == m->hung)
		return;
	m->hung = hang;
	if (hang) {
		m->outlen = 0;
		return;
	}
	/* Back from a hang: what was half-typed is gone. */
	if (!loop_timer_armed(&m->send_timer)) {
		m->busy = false;
		m->input = MS_INPUT_COMMAND;
	}
	m->linelen = 0;
	m->backlen = 0;
}

/* ---- plug, unplug, reboot ---- */

static void ms_modem_stop_timers(struct ms_modem *m)
{
	loop_timer_disarm(&m->boot_timer);
	loop_timer_disarm(&m->reg_timer);
	loop_timer_disarm(&m->noise_timer);
	loop_timer_disarm(&m->garbage_timer);
	loop_timer_disarm(&m->hang_timer);
	loop_timer_disarm(&m->slow_timer);
	loop_deferred_cancel(&m->backlog_defer);
}

static int ms_modem_link(struct ms_modem *m)
{
	char tmp[sizeof(m->link) + 8];

	snprintf(m->link, sizeof(m->link), "%s/%s", m->ms->dir, m->name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", m->link);
	unlink(tmp);
	if (symlink(m->pty, tmp) < 0 || rename(tmp, m->link) < 0)
		return -errno;
	return 0;
}

static int64_t ms_modem_replug_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;

	(void)t;
	if (m->power == MS_POWER_OFF)
		ms_modem_plug(m);
	return LOOP_TIMER_DONE;
}

void ms_modem_init(struct ms_modem *m)
{
	struct loop *l = m->ms->loop;
	char path[PATH_MAX + 16];

	if (m->inited)
		return;
	m->inited = true;
	loop_timer_init(l, &m->slow_timer, ms_modem_slow_cb, m);
	loop_timer_init(l, &m->boot_timer, ms_modem_boot_cb, m);
	loop_timer_init(l, &m->reg_timer, ms_modem_reg_cb, m);
	loop_timer_init(l, &m->replug_timer, ms_modem_replug_cb, m);
	loop_timer_init(l, &m->hang_timer, ms_modem_hang_cb, m);
	loop_timer_init(l, &m->noise_timer, ms_modem_noise_cb, m);
	loop_timer_init(l, &m->garbage_timer, ms_modem_garbage_cb, m);
	loop_deferred_init(l, &m->backlog_defer, ms_modem_backlog_cb, m);
	loop_deferred_init(l, &m->trace_defer, ms_modem_trace_cb, m);
	ms_net_modem_init(m);
	snprintf(path, sizeof(path), "%s/modem%d.log", m->ms->dir, m->index);
	m->log = fopen(path, "w");
}

int ms_modem_plug(struct ms_modem *m)
{
	struct termios tio;
	int err;

	ms_modem_init(m);
	if (m->replug_name[0]) {
		snprintf(m->name, sizeof(m->name), "%s", m->replug_name);
		m->replug_name[0] = 0;
	}
	if (openpty(&m->master, &m->slave, m->pty, NULL, NULL) < 0)
		return -errno;
	/* A replugged USB modem comes back as another tty (ttyUSB0 becomes
	 * ttyUSB1): if the kernel handed us the old number, take the next. */
	if (m->prev_pty[0] && strcmp(m->pty, m->prev_pty) == 0) {
		int master = m->master, slave = m->slave;

		if (openpty(&m->master, &m->slave, m->pty, NULL, NULL) < 0) {
			m->master = master;
			m->slave = slave;
		} else {
			close(master);
			close(slave);
		}
	}
	/* Raw until a client sets its own mode: nothing echoed back to us. */
	if (tcgetattr(m->slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(m->slave, TCSANOW, &tio);
	}
	fcntl(m->master, F_SETFL, fcntl(m->master, F_GETFL) | O_NONBLOCK);
	fcntl(m->master, F_SETFD, FD_CLOEXEC);
	fcntl(m->slave, F_SETFD, FD_CLOEXEC);
	err = loop_watch_add(m->ms->loop, &m->watch, m->master, EPOLLIN,
			     ms_modem_io_cb, m);
	if (!err)
		err = ms_modem_link(m);
	if (err) {
		ms_modem_unplug(m, -1);
		return err;
	}
	m->want_out = false;
	m->outlen = 0;
	m->hung = false;
	ms_util_trace(m->log, m->name, '#', m->pty, strlen(m->pty));
	ms_modem_boot_start(m);
	ms_modem_knobs_changed(m);
	return 0;
}

void ms_modem_unplug(struct ms_modem *m, int ms)
{
	ms_modem_trace_flush(m);
	ms_net_abort(m);
	ms_modem_stop_timers(m);
	if (m->master >= 0) {
		/* The name goes first: a path that points at a freed pty
		 * could lead a reopening client to another process's pty
		 * once the kernel hands that number out again. */
		unlink(m->link);
		loop_watch_del(&m->watch);
		close(m->master);
		close(m->slave);
		snprintf(m->prev_pty, sizeof(m->prev_pty), "%s", m->pty);
		ms_util_trace(m->log, m->name, '#', "unplugged", 9);
	}
	m->master = m->slave = -1;
	m->power = MS_POWER_OFF;
	m->registered = false;
	m->outlen = 0;
	ms_modem_urc_clear(m);
	if (ms >= 0)
		loop_timer_arm(&m->replug_timer, ms);
}

void ms_modem_reboot(struct ms_modem *m)
{
	if (m->knobs.reset_replug) {
		/* A USB modem re-enumerates: the tty goes away and returns. */
		ms_modem_unplug(m, m->knobs.replug_ms);
		return;
	}
	ms_net_abort(m);
	ms_modem_stop_timers(m);
	m->outlen = 0;
	m->hung = false;
	ms_modem_boot_start(m);
	ms_modem_knobs_changed(m);
}

void ms_modem_free(struct ms_modem *m)
{
	if (!m)
		return;
	if (!m->inited) {
		ms_config_modem_free(m);
		return;
	}
	if (m->master >= 0)
		ms_modem_unplug(m, -1);
	loop_timer_disarm(&m->replug_timer);
	ms_net_modem_free(m);
	ms_modem_urc_clear(m);
	ms_modem_trace_flush(m);
	loop_deferred_cancel(&m->trace_defer);
	free(m->tr);
	free(m->out);
	if (m->log)
		fclose(m->log);
	ms_config_modem_free(m);
}
