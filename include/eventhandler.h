/*
 * eventhandler — smstools3's eventhandler and Gammu SMSD's RunOnReceive,
 * so scripts written for them run unchanged (README "Coming from
 * smstools3", "Coming from Gammu SMSD").
 *
 * eventhandler = "PATH" runs `PATH EVENT FILE [ID]` (smsd's order) for
 *	SENT	 a message went out; ID is the message reference (TP-MR) of
 *		 its last part when a status report was asked for
 *	FAILED	 it could not be sent
 *	RECEIVED a message arrived (multipart messages once, joined)
 *	REPORT	 a status report arrived; ID is the message reference
 * FILE is written in smstools3's format before the handler starts: its
 * header names and values (From:, To:, Sent:, Received:, Modem:, IMSI:,
 * IMEI:, Alphabet:, Length:, Message_id:, Status:, Failed:, Error:…), a
 * blank line, then the text (UTF-8; Alphabet: says so). Numbers are
 * written as smsd writes them, international without the "+". Times are
 * local, "%y-%m-%d %H:%M:%S".
 *
 * The file stays in the incoming, sent or failed directory of smsgw.conf
 * when that option is set (REPORT files go to incoming, as smsd does
 * without a report directory); otherwise it is written under
 * eventhandler/ beside the database (private to the daemon) and removed
 * when the handler ends. Files are created with O_EXCL | O_NOFOLLOW in a
 * directory opened with O_NOFOLLOW.
 *
 * runonreceive = "COMMAND" runs `COMMAND ID` (ID: the inbox id, as Gammu's
 * SQL backends pass) for every received message with Gammu's variables
 * SMS_MESSAGES=1, SMS_1_NUMBER, SMS_1_TEXT, SMS_1_CLASS, SMS_1_REFERENCE,
 * DECODED_PARTS, DECODED_1_TEXT and PHONE_ID.
 *
 * Both go through the hook runner (hook.h): same limits, timeout, logging,
 * and the SMSGW_* variables as well. No text ever reaches a command line.
 */
#ifndef SMSGW_EVENTHANDLER_H
#define SMSGW_EVENTHANDLER_H

#include "inbound.h"
#include "outbound.h"

struct config;
struct hook_runner;
struct store;
struct eventhandler;

/* runner and store are borrowed and must outlive it. Returns 0 or
 * -errno. */
int eventhandler_new(struct store *store, struct hook_runner *runner,
		     const struct config *cfg, struct eventhandler **out);
void eventhandler_free(struct eventhandler *eh);
void eventhandler_set_config(struct eventhandler *eh,
			     const struct config *cfg);

/* Listeners; ud is the struct eventhandler. */
void eventhandler_inbound(const struct inbound_event *e, void *ud);
void eventhandler_outbound(const struct outbound_event *e, void *ud);

/* For tests: the smstools3 time format of ms ("26-12-03 09:30:00"). */
void eventhandler_time(int64_t ms, char *buf, size_t size);

#endif
