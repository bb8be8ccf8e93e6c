/* Erasure and the schema it must know: every table and client column
 * placed, a new one caught; what an erasure refuses, removes and keeps. */
#include <stdlib.h>
#include <string.h>

#include "agenda.h"
#include "db.h"
#include "privacy.h"

#include "practice.h"
#include "unit.h"

static void
test_privacy_schema(void)
{
	struct practice	 p;
	char		 buf[128];

	if (practice_open(&p) == -1) {
		CHECK(0);
		return;
	}
	CHECK(privacy_unknown(p.pd.db, buf, sizeof(buf)) == NULL);
	CHECK(practice_exec(&p, "CREATE TABLE notes (client_id INTEGER,"
	    " body TEXT)") == 0);
	CHECK_STR(privacy_unknown(p.pd.db, buf, sizeof(buf)), "table notes");
	CHECK(practice_exec(&p, "DROP TABLE notes") == 0);
	CHECK(practice_exec(&p, "ALTER TABLE clients ADD COLUMN notes TEXT")
	    == 0);
	CHECK_STR(privacy_unknown(p.pd.db, buf, sizeof(buf)),
	    "column clients.notes");
	practice_close(&p);
}

/* Jordan (1): a session ahead with a reminder, one past with a reason;
 * Maria (2): a session with a reminder of her own. */
static const char *erase_setup =
    "UPDATE clients SET email = 'jl@example.org', phone = '+15555550100',"
    "  remind_email = 1, sms_consent_at = 1, sms_consent_by = 'desk'"
    "  WHERE id = 1;"
    "INSERT INTO appointments (id, clinician_id, client_id, service_id,"
    "  start_utc, end_utc, block_end_utc, zone, state, cancel_reason,"
    "  video_url, created, updated) VALUES"
    "  (1, 1, 1, 1, 1894010400, 1894013400, 1894014000, 'UTC', 'booked',"
    "   NULL, 'https://v.example/jordan-lee', 0, 0),"
    "  (2, 1, 1, 1, 1893900000, 1893903000, 1893903600, 'UTC', 'cancelled',"
    "   'Jordan Lee is moving', NULL, 0, 0),"
    "  (3, 1, 2, 1, 1894020000, 1894023000, 1894023600, 'UTC', 'booked',"
    "   NULL, NULL, 0, 0);"
    "INSERT INTO reminders (id, appointment_id, notice, channel,"
    "  rule_minutes, version, due_utc, state, recipient, created, updated)"
    "  VALUES (1, 1, 'reminder', 'email', 60, 1, 1894006800, 'sending',"
    "  'jl@example.org', 0, 0),"
    "  (2, 3, 'reminder', 'email', 60, 1, 1894016400, 'pending',"
    "  'maria@example.org', 0, 0);"
    "INSERT INTO deliveries (reminder_id, attempt, started, outcome, detail)"
    "  VALUES (1, 1, 1894000000, 'retry', '450 <jl@example.org> busy');"
    "INSERT INTO audit (at, uid, user, role, action, object, object_id,"
    "  detail) VALUES (0, 0, 'desk', 'staff', 'client.import', 'client', 1,"
    "  'from Jordan Lee <jl@example.org>, +15555550100');";

static int
erase(struct practice *p, int force, json_t **summary)
{
	struct privacy_after	 after;
	int			 rc;

	practice_reset(p, PRACTICE_NOW);
	if (db_begin(p->pd.db) == -1)
		return -2;
	rc = privacy_erase(&p->ctx, 1, force, summary, &after);
	privacy_after_free(&after);
	if (rc == 0)
		rc = db_commit(p->pd.db);
	else
		db_rollback(p->pd.db);
	return rc;
}

static void
test_privacy_erase(void)
{
	struct practice	 p;
	json_t		*summary = NULL;

	if (practice_open(&p) == -1 || practice_exec(&p, erase_setup) == -1) {
		CHECK(0);
		return;
	}
	/* A message on its way: not yet. */
	CHECK(erase(&p, 1, &summary) == -1 && p.ctx.err == PROTO_ESTATE);
	CHECK(strstr(p.ctx.msg, "being sent") != NULL);
	CHECK(practice_exec(&p, "UPDATE reminders SET state = 'pending'") ==
	    0);
	/* A session ahead: only with force. */
	CHECK(erase(&p, 0, &summary) == -1 && p.ctx.err == PROTO_ESTATE);
	CHECK(strstr(p.ctx.msg, "--force") != NULL);
	CHECK(practice_int(&p, "SELECT count(*) FROM clients WHERE"
	    " name = 'Jordan Lee'") == 1);
	CHECK(erase(&p, 1, &summary) == 0);
	CHECK(json_integer_value(json_object_get(summary, "cancelled")) == 1);
	json_decref(summary);
	CHECK(practice_int(&p, "SELECT count(*) FROM clients WHERE id = 1"
	    " AND name = 'erased client 1' AND email IS NULL AND phone IS NULL"
	    " AND sms_consent_at IS NULL AND sms_consent_by IS NULL"
	    " AND active = 0") == 1);
	/* Kept: the sessions; gone: reason, link, reminders, deliveries. */
	CHECK(practice_int(&p, "SELECT count(*) FROM appointments WHERE"
	    " client_id = 1 AND state = 'cancelled' AND cancel_reason IS NULL"
	    " AND video_url IS NULL") == 2);
	CHECK(practice_int(&p, "SELECT count(*) FROM reminders r JOIN"
	    " appointments a ON a.id = r.appointment_id"
	    " WHERE a.client_id = 1") == 0);
	CHECK(practice_int(&p, "SELECT count(*) FROM deliveries") == 0);
	CHECK(practice_int(&p, "SELECT count(*) FROM audit WHERE detail ="
	    " 'from erased client 1 <(erased)>, (erased)'") == 1);
	CHECK(practice_int(&p, "SELECT count(*) FROM audit WHERE"
	    " action = 'client.erase' AND object_id = 1") == 1);
	/* Maria's are hers still. */
	CHECK(practice_int(&p, "SELECT count(*) FROM reminders WHERE"
	    " recipient = 'maria@example.org' AND state = 'pending'") == 1);
	CHECK(practice_int(&p, "SELECT count(*) FROM appointments WHERE"
	    " id = 3 AND state = 'booked'") == 1);
	practice_close(&p);
}

/* The morning mail's text: initials, times, the lists; no name. */
static void
test_agenda_mail_text(void)
{
	static const char *entry_json =
	    "{\"sessions\": [{\"local_start\": \"2030-01-07 10:00\","
	    " \"local_end\": \"2030-01-07 10:50\", \"state\": \"booked\","
	    " \"client\": {\"name\": \"Jordan Lee\", \"initials\": \"JL\"},"
	    " \"room\": {\"name\": \"Room 1\"}},"
	    " {\"local_start\": \"2030-01-07 11:00\","
	    " \"local_end\": \"2030-01-07 11:50\", \"state\": \"confirmed\","
	    " \"client\": {\"name\": \"Maria Santos\", \"initials\": \"MS\"},"
	    " \"room\": null, \"video_url\": \"https://v.example/x\"}],"
	    " \"failed_deliveries\": [{\"local_start\": \"2030-01-08 09:00\","
	    " \"notice\": \"reminder\", \"channel\": \"sms\","
	    " \"client\": {\"name\": \"Jordan Lee\", \"initials\": \"JL\"}}],"
	    " \"series_ending\": [], \"falling_out_of_care\": [{"
	    " \"client\": {\"name\": \"Gone Away\", \"initials\": \"GA\"},"
	    " \"last_attended\": \"2029-12-20 10:00\"}]}";
	static const char *const want[] = {
	    "Your sessions on 2030-01-07 (UTC)",
	    "  10:00-10:50  JL    Room 1  (not yet confirmed)\n",
	    "  11:00-11:50  MS    video\n",
	    "  2030-01-08 09:00  JL    reminder by sms\n",
	    "  GA    last seen 2029-12-20 10:00\n",
	    NULL
	};
	json_t		*entry = json_loads(entry_json, 0, NULL);
	char		*text;
	size_t		 i;

	CHECK(entry != NULL);
	if ((text = agenda_mail_text("2030-01-07", "UTC", entry)) == NULL) {
		CHECK(0);
		json_decref(entry);
		return;
	}
	for (i = 0; want[i] != NULL; i++)
		CHECK(strstr(text, want[i]) != NULL);
	CHECK(strstr(text, "Jordan") == NULL && strstr(text, "Lee") == NULL);
	CHECK(strstr(text, "Series ending") == NULL);	/* none: no title */
	free(text);
	json_decref(entry);
}

void
test_privacy(void)
{
	test_privacy_schema();
	test_privacy_erase();
	test_agenda_mail_text();
}
