/* An SMS as the configured provider takes it, ready for the sender. */
#ifndef PRACTICED_SMS_H
#define PRACTICED_SMS_H

struct config_sms;
struct send_job;

/* Twilio's default address; [sms] url replaces it (a test server). */
#define SMS_TWILIO_URL	"https://api.twilio.com"

/*
 * Twilio's Messages form (To, From, Body; the account and token as basic
 * auth), or the webhook's JSON ({"id", "to", "from", "text"}, the token
 * as a bearer, the id again as Idempotency-Key).  NULL when out of
 * memory or with no provider.
 */
struct send_job	*sms_job(const struct config_sms *, long long id,
		    const char *key, const char *to, const char *text);
/* The message id in a provider's JSON answer ("sid" or "id"), or NULL;
 * the caller frees it. */
char		*sms_provider_id(const char *response);

#endif
