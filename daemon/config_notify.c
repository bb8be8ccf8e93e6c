/*
 * practiced.conf's [reminders], [smtp] and [sms]: when clients are
 * reminded, and how messages leave.  Secrets are read from the files the
 * configuration names, never from the configuration itself, so that the
 * file can be readable by staff while the secrets stay the daemon's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "config_parse.h"
#include "template.h"
#include "tz.h"

#define SECRET_MAX	1024
#define RULE_MIN	1		/* minutes */
#define RULE_MAX	(60 * 24 * 60)	/* 60 days */
#define GRACE_MAX	60		/* minutes */

/* "90m", "48h", "2d": minutes, or -1. */
static int
duration_minutes(const char *s)
{
	char	*end;
	long	 n;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno == ERANGE || n > RULE_MAX || end[0] == '\0' ||
	    end[1] != '\0')
		return -1;
	switch (*end) {
	case 'm':
		return (int)n;
	case 'h':
		return n > RULE_MAX / 60 ? RULE_MAX + 1 : (int)n * 60;
	case 'd':
		return n > RULE_MAX / 1440 ? RULE_MAX + 1 : (int)n * 1440;
	}
	return -1;
}

static int
channel_of(const char *s, size_t len, enum channel *c)
{
	if (len == 5 && strncmp(s, "email", 5) == 0)
		*c = CHANNEL_EMAIL;
	else if (len == 3 && strncmp(s, "sms", 3) == 0)
		*c = CHANNEL_SMS;
	else
		return -1;
	return 0;
}

/* "email 48h"; the first rule of the file replaces the defaults, and
 * "none" leaves no rule at all. */
static int
set_rule(struct config_ctx *ctx, const char *v)
{
	struct config_reminders	*r = &ctx->conf->reminders;
	struct remind_rule	 rule;
	const char		*sp;
	int			 i;

	if (!r->rules_given) {
		r->rules_given = 1;
		r->nrules = 0;
	}
	if (strcmp(v, "none") == 0)
		return 0;
	if ((sp = strchr(v, ' ')) == NULL ||
	    channel_of(v, (size_t)(sp - v), &rule.channel) == -1)
		return config_fail(ctx, "rule \"%s\": write the channel "
		    "(email or sms) and how long before, as in \"email 48h\"",
		    v);
	while (*sp == ' ')
		sp++;
	if ((rule.minutes = duration_minutes(sp)) < RULE_MIN ||
	    rule.minutes > RULE_MAX)
		return config_fail(ctx, "rule \"%s\": \"%s\" is not a time "
		    "from 1m to 60d (such as 90m, 48h or 2d)", v, sp);
	for (i = 0; i < r->nrules; i++)
		if (r->rules[i].channel == rule.channel &&
		    r->rules[i].minutes == rule.minutes)
			return config_fail(ctx, "rule \"%s\" is given twice", v);
	if (r->nrules == CONFIG_MAX_RULES)
		return config_fail(ctx, "more than %d rules",
		    CONFIG_MAX_RULES);
	r->rules[r->nrules++] = rule;
	return 0;
}

static int
set_quiet_hours(struct config_ctx *ctx, const char *v)
{
	struct config_reminders	*r = &ctx->conf->reminders;
	const char		*dash = strchr(v, '-');
	int			 from, to;

	if (strcmp(v, "none") == 0) {
		r->quiet_from = r->quiet_to = 0;
		return 0;
	}
	if (dash == NULL ||
	    (from = tz_parse_hhmm(v, (size_t)(dash - v))) == -1 ||
	    (to = tz_parse_hhmm(dash + 1, strlen(dash + 1))) == -1 ||
	    from == 24 * 60 || to == 24 * 60)
		return config_fail(ctx, "quiet_hours \"%s\": write "
		    "HH:MM-HH:MM (such as 21:00-08:00) or none", v);
	if (from == to)
		return config_fail(ctx, "quiet_hours \"%s\" is empty; "
		    "write none for no quiet hours", v);
	r->quiet_from = from;
	r->quiet_to = to;
	return 0;
}

static int
set_notices(struct config_ctx *ctx, const char *v)
{
	return config_set_bool(ctx, &ctx->conf->reminders.notices, v);
}

static int
set_grace(struct config_ctx *ctx, const char *v)
{
	int	 m = strcmp(v, "0") == 0 ? 0 : duration_minutes(v);

	if (m < 0 || m > GRACE_MAX)
		return config_fail(ctx, "notice_grace \"%s\": a time from 0 "
		    "to 60m (such as 3m)", v);
	ctx->conf->reminders.grace_seconds = m * 60;
	return 0;
}

static int
set_invitations(struct config_ctx *ctx, const char *v)
{
	return config_set_bool(ctx, &ctx->conf->reminders.invitations, v);
}

static int
set_templates(struct config_ctx *ctx, const char *v)
{
	return config_set_path(ctx, &ctx->conf->reminders.templates_dir, v);
}

/* The first line of a file that only the daemon's user may read. */
static int
config_read_secret(struct config_ctx *ctx, char **dst, const char *value)
{
	char		*path = NULL, buf[SECRET_MAX + 2];
	struct stat	 st;
	FILE		*fp;
	size_t		 len;
	int		 rc = -1;

	if (config_set_path(ctx, &path, value) == -1)
		return -1;
	if ((fp = fopen(path, "r")) == NULL)
		config_fail(ctx, "%s: %s", path, strerror(errno));
	else if (fstat(fileno(fp), &st) == -1 || (st.st_mode & S_IROTH))
		config_fail(ctx, "%s can be read by every user; make it "
		    "readable by practiced only (chmod 600)", path);
	else if (fgets(buf, sizeof(buf), fp) == NULL ||
	    (len = strcspn(buf, "\r\n")) == 0)
		config_fail(ctx, "%s: empty", path);
	else if (len > SECRET_MAX)
		config_fail(ctx, "%s: longer than %d bytes", path, SECRET_MAX);
	else {
		buf[len] = '\0';
		rc = config_set_string(ctx, dst, buf);
	}
	explicit_bzero(buf, sizeof(buf));
	if (fp != NULL)
		fclose(fp);
	free(path);
	return rc;
}

static int
set_smtp_url(struct config_ctx *ctx, const char *v)
{
	if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0)
		return config_fail(ctx, "url \"%s\": use smtps://HOST:465 or "
		    "smtp://HOST:587", v);
	if (strlen(v) > 512 || strpbrk(v, " \t") != NULL)
		return config_fail(ctx, "url \"%s\" is not a URL", v);
	return config_set_string(ctx, &ctx->conf->smtp.url, v);
}

static int
set_smtp_starttls(struct config_ctx *ctx, const char *v)
{
	if (strcmp(v, "required") == 0)
		ctx->conf->smtp.starttls = 1;
	else if (strcmp(v, "no") == 0)
		ctx->conf->smtp.starttls = 0;
	else
		return config_fail(ctx, "starttls \"%s\": required or no", v);
	return 0;
}

/* "Name <addr>" or "addr", one line, with an address that has a domain. */
static int
set_smtp_from(struct config_ctx *ctx, const char *v)
{
	const char	*at = strrchr(v, '@');

	if (at == NULL || at[1] == '\0' || at[1] == '>' ||
	    (strchr(v, '<') != NULL) != (strchr(v, '>') != NULL) ||
	    strlen(v) > 320)
		return config_fail(ctx, "from \"%s\": write an address, as in "
		    "\"Practice <noreply@example.org>\"", v);
	return config_set_string(ctx, &ctx->conf->smtp.from, v);
}

static int
set_smtp_username(struct config_ctx *ctx, const char *v)
{
	return config_set_string(ctx, &ctx->conf->smtp.username, v);
}

static int
set_smtp_password(struct config_ctx *ctx, const char *v)
{
	return config_read_secret(ctx, &ctx->conf->smtp.password, v);
}

static int
set_smtp_ca_file(struct config_ctx *ctx, const char *v)
{
	return config_set_path(ctx, &ctx->conf->smtp.ca_file, v);
}

static int
set_sms_provider(struct config_ctx *ctx, const char *v)
{
	if (strcmp(v, "twilio") == 0)
		ctx->conf->sms.provider = SMS_TWILIO;
	else if (strcmp(v, "webhook") == 0)
		ctx->conf->sms.provider = SMS_WEBHOOK;
	else
		return config_fail(ctx, "provider \"%s\": twilio or webhook",
		    v);
	return 0;
}

static int
set_sms_url(struct config_ctx *ctx, const char *v)
{
	if ((strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
	    || strlen(v) > 512 || strpbrk(v, " \t") != NULL)
		return config_fail(ctx, "url \"%s\": an https:// URL", v);
	return config_set_string(ctx, &ctx->conf->sms.url, v);
}

static int
set_sms_account(struct config_ctx *ctx, const char *v)
{
	if (strlen(v) > 64 || strpbrk(v, "/?#% \t") != NULL)
		return config_fail(ctx, "account \"%s\" is not an account id",
		    v);
	return config_set_string(ctx, &ctx->conf->sms.account, v);
}

static int
set_sms_token(struct config_ctx *ctx, const char *v)
{
	return config_read_secret(ctx, &ctx->conf->sms.token, v);
}

/* A header name (RFC 9110 token) the webhook's token travels in,
 * other than those each request sets itself. */
static int
set_sms_header(struct config_ctx *ctx, const char *v)
{
	static const char *const own[] = { "content-type", "content-length",
	    "host", "idempotency-key", "transfer-encoding", "expect", NULL };
	size_t	 n = strlen(v), i;

	if (n == 0 || n > 64 || strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") != n)
		return config_fail(ctx, "header \"%s\": a header name, such as "
		    "X-Api-Key", v);
	for (i = 0; own[i] != NULL; i++)
		if (strcasecmp(v, own[i]) == 0)
			return config_fail(ctx, "header \"%s\" is set by "
			    "practiced itself", v);
	return config_set_string(ctx, &ctx->conf->sms.header, v);
}

/* E.164: "+" and 8 to 15 digits, the first not 0. */
static int
set_sms_from(struct config_ctx *ctx, const char *v)
{
	size_t	 n = strlen(v);

	if (v[0] != '+' || n < 9 || n > 16 || v[1] == '0' ||
	    strspn(v + 1, "0123456789") != n - 1)
		return config_fail(ctx, "from \"%s\": a number in E.164 form, "
		    "such as +15555550100", v);
	return config_set_string(ctx, &ctx->conf->sms.from, v);
}

const struct config_key config_notify_keys[] = {
	{ "reminders", "rule",		set_rule },
	{ "reminders", "quiet_hours",	set_quiet_hours },
	{ "reminders", "notices",	set_notices },
	{ "reminders", "notice_grace",	set_grace },
	{ "reminders", "templates",	set_templates },
	{ "reminders", "invitations",	set_invitations },
	{ "smtp", "url",		set_smtp_url },
	{ "smtp", "starttls",		set_smtp_starttls },
	{ "smtp", "from",		set_smtp_from },
	{ "smtp", "username",		set_smtp_username },
	{ "smtp", "password_file",	set_smtp_password },
	{ "smtp", "ca_file",		set_smtp_ca_file },
	{ "sms", "provider",		set_sms_provider },
	{ "sms", "url",			set_sms_url },
	{ "sms", "account",		set_sms_account },
	{ "sms", "token_file",		set_sms_token },
	{ "sms", "from",		set_sms_from },
	{ "sms", "header",		set_sms_header },
	{ NULL, NULL, NULL }
};

void
config_notify_defaults(struct config *conf)
{
	struct config_reminders	*r = &conf->reminders;

	r->rules[0] = (struct remind_rule){ CHANNEL_EMAIL, 48 * 60 };
	r->rules[1] = (struct remind_rule){ CHANNEL_SMS, 24 * 60 };
	r->nrules = 2;
	r->quiet_from = 21 * 60;
	r->quiet_to = 8 * 60;
	r->notices = 1;
	r->grace_seconds = 3 * 60;
	r->invitations = 1;
	conf->smtp.starttls = 1;
}

static int
notify_fail(struct config_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(ctx->err, ctx->errlen, "%s: ", ctx->file);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* What one key cannot see: the keys that go together. */
static int
config_notify_whole(struct config_ctx *ctx)
{
	const struct config_smtp	*m = &ctx->conf->smtp;
	const struct config_sms		*s = &ctx->conf->sms;

	if (m->url != NULL && m->from == NULL)
		return notify_fail(ctx, "[smtp] url needs from");
	if ((m->username != NULL) != (m->password != NULL))
		return notify_fail(ctx, "[smtp] username and password_file "
		    "go together");
	if (s->provider == SMS_NONE && (s->url != NULL || s->from != NULL ||
	    s->account != NULL || s->token != NULL))
		return notify_fail(ctx, "[sms] needs provider = twilio or "
		    "webhook");
	if (s->provider != SMS_NONE && s->from == NULL)
		return notify_fail(ctx, "[sms] needs from");
	if (s->provider == SMS_WEBHOOK && s->url == NULL)
		return notify_fail(ctx, "[sms] provider = webhook needs url");
	if (s->provider == SMS_TWILIO && (s->account == NULL ||
	    s->token == NULL))
		return notify_fail(ctx, "[sms] provider = twilio needs account "
		    "and token_file");
	if (s->header != NULL && (s->provider != SMS_WEBHOOK ||
	    s->token == NULL))
		return notify_fail(ctx, "[sms] header is for a webhook's "
		    "token: it needs provider = webhook and token_file");
	return 0;
}

int
config_notify_finish(struct config_ctx *ctx)
{
	struct config_reminders	*r = &ctx->conf->reminders;

	if (config_notify_whole(ctx) == -1)
		return -1;
	if ((r->templates = templates_load(r->templates_dir, ctx->err,
	    ctx->errlen)) == NULL)
		return -1;
	/* A message sent for real never reads "call us on ." (the outbox
	 * folder of a practice trying things out only warns). */
	if (ctx->conf->practice_phone == NULL && templates_use(r->templates,
	    PH_PHONE) && (ctx->conf->smtp.url != NULL ||
	    ctx->conf->sms.provider != SMS_NONE))
		return notify_fail(ctx, "[practice] phone is not set, and the "
		    "texts clients are sent tell them to call it: set it, or "
		    "give [reminders] templates without {phone}");
	return 0;
}

static void
free_secret(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

void
config_notify_free(struct config *conf)
{
	templates_free(conf->reminders.templates);
	free(conf->reminders.templates_dir);
	free(conf->smtp.url);
	free(conf->smtp.from);
	free(conf->smtp.username);
	free_secret(conf->smtp.password);
	free(conf->smtp.ca_file);
	free(conf->sms.url);
	free(conf->sms.account);
	free_secret(conf->sms.token);
	free(conf->sms.from);
	free(conf->sms.header);
}
