/*
 * What practiced keeps of clinicians, clients, services and rooms: one
 * line a field, read by the engine in resource.c.  Columns are named
 * after their fields (see the schema in db.c).
 */
#include "ctx.h"
#include "remind.h"
#include "resource.h"

#define SET	(RES_ADD | RES_EDIT)

static const struct res_field clinician_fields[] = {
	{ .name = "name", .kind = RES_TEXT, .check = RES_NAME,
	    .flags = SET | RES_REQUIRED | RES_UNIQUE },
	{ .name = "email", .kind = RES_TEXT, .check = RES_EMAIL,
	    .flags = SET | RES_CLEAR },
	{ .name = "phone", .kind = RES_TEXT, .check = RES_PHONE,
	    .flags = SET | RES_CLEAR },
	{ .name = "zone", .kind = RES_TEXT, .check = RES_ZONE,
	    .flags = SET | RES_PRACTICE_ZONE | RES_AUDIT },
	{ .name = "active", .kind = RES_BOOL, .flags = RES_EDIT, .def = 1 },
	{ .name = "created", .kind = RES_CREATED, .flags = RES_HIDDEN },
	{ .name = NULL }
};

const struct res_type res_clinician = {
	.noun = "clinician",
	.plural = "clinicians",
	.table = "clinicians",
	.kind = KIND_CLINICIAN,
	.fields = clinician_fields,
	.show = res_hours_show,
};

/* Bits of "remind", in the order of its words. */
#define REMIND_EMAIL	0x1
#define REMIND_SMS	0x2

static const char *const remind_words[] = { "email", "sms", NULL };

static const struct res_field client_fields[] = {
	{ .name = "name", .kind = RES_TEXT, .check = RES_NAME,
	    .flags = SET | RES_REQUIRED },
	{ .name = "initials", .kind = RES_INITIALS, .column = "name" },
	{ .name = "email", .kind = RES_TEXT, .check = RES_EMAIL,
	    .flags = SET | RES_CLEAR },
	{ .name = "phone", .kind = RES_TEXT, .check = RES_PHONE,
	    .flags = SET | RES_CLEAR },
	{ .name = "remind", .kind = RES_WORDS, .words = remind_words,
	    .flags = SET | RES_AUDIT },
	{ .name = "sms_consent", .kind = RES_CONSENT,
	    .flags = SET | RES_AUDIT },
	{ .name = "zone", .kind = RES_TEXT, .check = RES_ZONE,
	    .flags = SET | RES_CLEAR },
	{ .name = "active", .kind = RES_BOOL, .flags = RES_EDIT, .def = 1 },
	{ .name = "created", .kind = RES_CREATED },
	{ .name = NULL }
};

/* A reminder needs somewhere to go. */
static int
client_check(struct ctx *ctx, const struct res_type *t,
    const struct res_value *v)
{
	long long	 remind = res_get(t, v, "remind")->num;

	if ((remind & REMIND_EMAIL) && res_get(t, v, "email")->text == NULL)
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "email reminders need an email address");
	if ((remind & REMIND_SMS) && res_get(t, v, "phone")->text == NULL)
		return ctx_error(ctx, PROTO_EBADREQUEST,
		    "SMS reminders need a phone number");
	return 0;
}

/*
 * New channels, addresses or consent reach the sessions already booked:
 * their reminders are planned again (a consent given makes the skipped
 * SMS ones pending; one withdrawn skips them).
 */
static int
client_edited(struct ctx *ctx, long long id)
{
	return remind_replan_client(ctx, id);
}

/* SMS chosen without consent is allowed, but nothing will be sent. */
static int
client_warn(struct ctx *ctx, const struct res_type *t,
    const struct res_value *v, json_t *warnings)
{
	if (!(res_get(t, v, "remind")->num & REMIND_SMS) ||
	    res_get(t, v, "sms_consent")->num != 0)
		return 0;
	if (json_array_append_new(warnings, json_string("no SMS consent is "
	    "recorded for the client: SMS reminders and notices are skipped "
	    "until it is")) == -1)
		return ctx_internal(ctx);
	return 0;
}

const struct res_type res_client = {
	.noun = "client",
	.plural = "clients",
	.table = "clients",
	.kind = KIND_CLIENT,
	.fields = client_fields,
	.check = client_check,
	.edited = client_edited,
	.warn = client_warn,
};

static const struct res_field service_fields[] = {
	{ .name = "name", .kind = RES_TEXT, .check = RES_NAME,
	    .flags = SET | RES_REQUIRED | RES_UNIQUE },
	{ .name = "minutes", .kind = RES_INT, .min = 5, .max = 480,
	    .flags = SET | RES_REQUIRED | RES_AUDIT },
	{ .name = "buffer", .kind = RES_INT, .min = 0, .max = 120,
	    .flags = SET | RES_AUDIT },
	{ .name = "active", .kind = RES_BOOL, .flags = RES_EDIT, .def = 1 },
	{ .name = NULL }
};

const struct res_type res_service = {
	.noun = "service",
	.plural = "services",
	.table = "services",
	.kind = KIND_SERVICE,
	.fields = service_fields,
};

static const struct res_field room_fields[] = {
	{ .name = "name", .kind = RES_TEXT, .check = RES_NAME,
	    .flags = SET | RES_REQUIRED | RES_UNIQUE },
	{ .name = "active", .kind = RES_BOOL, .flags = RES_EDIT, .def = 1 },
	{ .name = NULL }
};

const struct res_type res_room = {
	.noun = "room",
	.plural = "rooms",
	.table = "rooms",
	.kind = KIND_ROOM,
	.fields = room_fields,
};
