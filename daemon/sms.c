/*
 * SMS requests: Twilio's Messages API (a form, basic auth) or a generic
 * webhook (JSON, the token as a bearer or in a header of its own).  Built on the loop's thread, where
 * jansson may run; the sender only carries them.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config.h"
#include "send.h"
#include "sms.h"
#include "strbuf.h"

#define SMS_TIMEOUT	30	/* seconds */

/* application/x-www-form-urlencoded, RFC 3986's unreserved kept. */
static void
form_add(struct strbuf *b, const char *key, const char *value)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	char			 esc[3];

	if (b->len > 0)
		strbuf_adds(b, "&");
	strbuf_addf(b, "%s=", key);
	for (; *value != '\0'; value++) {
		c = (unsigned char)*value;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			strbuf_add(b, (const char *)&c, 1);
		else {
			esc[0] = '%';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			strbuf_add(b, esc, 3);
		}
	}
}

static int
sms_twilio(struct send_job *j, const struct config_sms *c, const char *to,
    const char *text)
{
	struct strbuf	 url = STRBUF_INIT, body = STRBUF_INIT;

	strbuf_addf(&url, "%s/2010-04-01/Accounts/%s/Messages.json",
	    c->url != NULL ? c->url : SMS_TWILIO_URL, c->account);
	form_add(&body, "To", to);
	form_add(&body, "From", c->from);
	form_add(&body, "Body", text);
	j->url = strbuf_finish(&url);
	j->body = strbuf_finish(&body);
	j->username = strdup(c->account);
	j->password = strdup(c->token);
	j->content_type = strdup("application/x-www-form-urlencoded");
	return j->url && j->body && j->username && j->password &&
	    j->content_type ? 0 : -1;
}

static int
sms_webhook(struct send_job *j, const struct config_sms *c,
    const char *key, const char *to, const char *text)
{
	json_t		*obj;
	struct strbuf	 h = STRBUF_INIT;

	if ((obj = json_pack("{s:s,s:s,s:s,s:s}", "id", key, "to", to,
	    "from", c->from, "text", text)) == NULL)
		return -1;
	j->body = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	strbuf_addf(&h, "Idempotency-Key: %s", key);
	j->header = strbuf_finish(&h);
	j->url = strdup(c->url);
	j->content_type = strdup("application/json");
	if (c->token != NULL) {
		if (c->header != NULL)
			strbuf_addf(&h, "%s: %s", c->header, c->token);
		else
			strbuf_addf(&h, "Authorization: Bearer %s", c->token);
		j->bearer = strbuf_finish(&h);
		if (j->bearer == NULL)
			return -1;
	}
	return j->body && j->header && j->url && j->content_type ? 0 : -1;
}

struct send_job *
sms_job(const struct config_sms *c, long long id, const char *key,
    const char *to, const char *text)
{
	struct send_job	*j;
	int		 rc;

	if (c->provider == SMS_NONE || (j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->id = id;
	j->kind = SEND_HTTP;
	j->timeout = SMS_TIMEOUT;
	rc = c->provider == SMS_TWILIO ? sms_twilio(j, c, to, text) :
	    sms_webhook(j, c, key, to, text);
	if (rc == -1) {
		send_job_free(j);
		return NULL;
	}
	j->len = strlen(j->body);
	return j;
}

char *
sms_provider_id(const char *response)
{
	json_t		*obj;
	const char	*id;
	char		*copy = NULL;

	if (response == NULL ||
	    (obj = json_loads(response, 0, NULL)) == NULL)
		return NULL;
	if ((id = json_string_value(json_object_get(obj, "sid"))) == NULL)
		id = json_string_value(json_object_get(obj, "id"));
	if (id != NULL && strlen(id) <= 128)
		copy = strdup(id);
	json_decref(obj);
	return copy;
}
