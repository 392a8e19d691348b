/*
 * cli_help — the --help text of every smsgw command. man/smsgw.1 and
 * README.md say the same; tests/e2e/test_cli_help.py compares the option
 * sets of the three.
 */
#include "cli.h"

#include <stddef.h>
#include <string.h>

#define COMMON \
	"\n  -c, --config FILE  configuration (default /etc/smsgw/smsgw.conf" \
	" or $SMSGW_CONFIG)\n  -h, --help         this text\n"

#define TIMES \
	"  --utc              times in UTC (tables show the configured" \
	" timezone)\n"

static const struct cli_help {
	const char *name;
	const char *text;
} cli_helps[] = {
	{ "send",
	  "usage: smsgw send [--campaign C] [--report|--no-report] [--at TIME]"
	  " [--dry-run]\n"
	  "                  [--kind bulk|direct] [--priority high|normal|low]\n"
	  "                  [--pool P | --sim S] [--id KEY] [--flash]"
	  " [--validity V]\n"
	  "                  [--json] NUMBER... (-m TEXT | < FILE)\n"
	  "       smsgw send --check [--json] FILE...\n\n"
	  "Writes one spool file atomically; --check reads existing spool"
	  " files\nwith the daemon's checks.\n\n"
	  "  --campaign C       Campaign:\n"
	  "  --report, --no-report\n"
	  "                     ask for a delivery report, or not\n"
	  "  --at TIME          Send-At: ISO-8601, local time without an"
	  " offset\n"
	  "  --dry-run          write nothing; show what would be sent\n"
	  "  --kind K           bulk or direct\n"
	  "  --priority P       high, normal or low\n"
	  "  --pool P           Pool:\n"
	  "  --sim S            SIM: modem/slot, ICCID or number\n"
	  "  --id KEY           Id: a second file with the same key is a"
	  " duplicate\n"
	  "  --flash            a class 0 message\n"
	  "  --validity V       30m, 12h, 1d, 2w\n"
	  "  -m, --message TEXT the text (else standard input)\n"
	  "  --check            check FILEs instead of sending\n"
	  "  --json             one JSON object\n" COMMON },
	{ "status",
	  "usage: smsgw status [--json | --csv] [--utc]\n\n"
	  "Whether smsgwd runs, each SIM (state, signal, network, quota use)"
	  " and\nthe queue. SIMs of a stopped daemon are offline.\n\n"
	  "  --json             {\"daemon\", \"queue\", \"sims\"}\n"
	  "  --csv              the SIMs as CSV\n" TIMES COMMON },
	{ "outbox",
	  "usage: smsgw outbox [--state S] [--campaign C] [--to NUMBER]\n"
	  "                    [--limit N | --all] [--json | --csv] [--utc]\n"
	  "       smsgw outbox show ID [--json | --csv] [--utc]\n"
	  "       smsgw outbox resend ID\n"
	  "       smsgw outbox cancel ID\n\n"
	  "Outgoing messages, newest first; one message's history; send one"
	  " again;\ncancel one that has not gone out.\n\n"
	  "  --state S          queued, deferred, sending, sent, delivered,"
	  " failed,\n"
	  "                     expired, suppressed, unknown, cancelled\n"
	  "  --campaign C       one campaign\n"
	  "  --to NUMBER        one recipient (written as for send)\n"
	  "  --limit N          at most N rows (tables: 100)\n"
	  "  --all              every row\n"
	  "  --json             an array of objects (every row)\n"
	  "  --csv              CSV with a header line (every row; show: the\n"
	  "                     attempts)\n"
	  TIMES COMMON },
	{ "inbox",
	  "usage: smsgw inbox [--since T] [--from NUMBER] [--limit N | --all]\n"
	  "                   [--json | --csv] [--utc]\n\n"
	  "Replies, newest first, each with the message it answers.\n\n"
	  "  --since T          ISO-8601 time or a duration back (2h, 7d)\n"
	  "  --from NUMBER      one sender (written as for send)\n"
	  "  --limit N          at most N rows (tables: 100)\n"
	  "  --all              every row\n"
	  "  --json             an array of objects (every row)\n"
	  "  --csv              CSV with a header line (every row)\n"
	  TIMES COMMON },
	{ "events",
	  "usage: smsgw events [--since T] [--level L] [--limit N | --all]\n"
	  "                    [--json | --csv] [--utc]\n\n"
	  "The audit log, newest first.\n\n"
	  "  --since T          ISO-8601 time or a duration back (2h, 7d)\n"
	  "  --level L          info, warning or error: that level and worse\n"
	  "  --limit N          at most N rows (tables: 100)\n"
	  "  --all              every row\n"
	  "  --json             an array of objects (every row)\n"
	  "  --csv              CSV with a header line (every row)\n"
	  TIMES COMMON },
	{ "stats",
	  "usage: smsgw stats [--campaign C] [--json | --csv]\n\n"
	  "The funnel: messages, queued, sent, delivered, failed, unknown,\n"
	  "suppressed, cancelled, replied, opted_out, sms_parts.\n\n"
	  "  --campaign C       one campaign\n"
	  "  --json             one object\n"
	  "  --csv              a header line and one row\n" COMMON },
	{ "optout",
	  "usage: smsgw optout list [--all] [--json | --csv] [--utc]\n"
	  "       smsgw optout add NUMBER [--keyword K]\n"
	  "       smsgw optout remove NUMBER\n\n"
	  "Opted-out numbers; opt one out or in by hand.\n\n"
	  "  --all              also numbers that opted in again\n"
	  "  --keyword K        the keyword recorded with a manual opt-out\n"
	  "  --json             an array of objects\n"
	  "  --csv              CSV with a header line\n" TIMES COMMON },
	{ "ports",
	  "usage: smsgw ports [--json | --csv]\n\n"
	  "Serial ports found, USB VID:PID and serial, suggested driver.\n\n"
	  "  --json             {\"ports\": [...]}\n"
	  "  --csv              CSV with a header line\n" COMMON },
	{ "rules",
	  "usage: smsgw rules test [--json | --csv] [--from NUMBER] [--sim NAME]"
	  " TEXT...\n\n"
	  "What a reply would do: its class, keyword and answer. Sends"
	  " nothing.\n\n"
	  "  --json             one JSON object\n"
	  "  --csv              a header line and one row\n"
	  "  --from NUMBER      the sender (default +15555550100)\n"
	  "  --sim NAME         the SIM it arrives on\n" COMMON },
	{ "campaign",
	  "usage: smsgw campaign list [--json | --csv] [--utc]\n"
	  "       smsgw campaign show NAME [--json | --csv] [--utc]\n"
	  "       smsgw campaign pause|resume|cancel NAME\n\n"
	  "Campaigns with their counts; hold, release or end one.\n\n"
	  "  --json             an array of objects\n"
	  "  --csv              CSV with a header line\n" TIMES COMMON },
	{ "report",
	  "usage: smsgw report --campaign C -o FILE.html|-\n\n"
	  "One self-contained HTML page about a campaign.\n\n"
	  "  --campaign C       the campaign\n"
	  "  -o, --output FILE  where to write it; - for standard output\n"
	  COMMON },
	{ "metrics",
	  "usage: smsgw metrics\n\n"
	  "The database as Prometheus text; smsgw_up says whether smsgwd"
	  " runs.\n" COMMON },
	{ "migrate",
	  "usage: smsgw migrate smstools3 FILE\n"
	  "       smsgw migrate gammu FILE\n\n"
	  "Prints a smsgw.conf equivalent to an smsd.conf or a gammu-smsdrc,\n"
	  "with a comment for every setting that has no equivalent.\n"
	  COMMON },
	{ "pdu",
	  "usage: smsgw pdu decode HEX|-\n"
	  "       smsgw pdu encode [--report] [--flash] [--validity V]"
	  " [--ucs2] [--smart]\n"
	  "                        [--language L] [--ref N] [--ref16]"
	  " NUMBER TEXT\n\n"
	  "A PDU as JSON, or the SMS-SUBMIT PDUs of a text.\n\n"
	  "  --report           ask for a status report\n"
	  "  --flash            a class 0 message\n"
	  "  --validity V       30m, 12h, 1d, 2w\n"
	  "  --ucs2             UCS-2 even when GSM 7-bit would do\n"
	  "  --smart            replace look-alikes to fit GSM 7-bit\n"
	  "  --language L       national shift tables: none, tr, es, pt,"
	  " auto\n"
	  "  --ref N            the concatenation reference\n"
	  "  --ref16            a 16-bit reference\n" COMMON },
	{ "token",
	  "usage: smsgw token add NAME [--rights send,read,admin]\n"
	  "       smsgw token list [--json]\n"
	  "       smsgw token remove NAME\n\n"
	  "Bearer tokens of the HTTP API. add prints the new token once; only"
	  " its\nSHA-256 is kept. Rights: send (POST /v1/messages), read (GET,"
	  " the status\npage, /metrics), admin (campaign control,"
	  " /v1/tokens).\n\n"
	  "  --rights R         send, read, admin, comma-separated"
	  " (default send,read)\n"
	  "  --json             list: an array of objects\n" COMMON },
};

const char *cli_help_text(const char *name)
{
	for (size_t i = 0; i < sizeof(cli_helps) / sizeof(cli_helps[0]); i++)
		if (strcmp(cli_helps[i].name, name) == 0)
			return cli_helps[i].text;
	return NULL;
}
