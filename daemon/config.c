/*
 * practiced.conf: INI with [section], key = value and # comments.  Every
 * key is known in advance; an unknown one is an error with file and line,
 * because a typo silently ignored is a setting silently lost.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_parse.h"
#include "tz.h"

#define CONFIG_LINE_MAX	1024

int
config_fail(struct config_ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(ctx->err, ctx->errlen, "%s:%d: ", ctx->file, ctx->line);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

int
config_set_string(struct config_ctx *ctx, char **dst, const char *value)
{
	char	*copy;

	if (*value == '\0')
		return config_fail(ctx, "empty value");
	if ((copy = strdup(value)) == NULL)
		return config_fail(ctx, "out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

int
config_set_path(struct config_ctx *ctx, char **dst, const char *value)
{
	char	*path;

	if (*value == '\0')
		return config_fail(ctx, "empty path");
	if (value[0] == '/')
		return config_set_string(ctx, dst, value);
	/* Relative paths are relative to the file, not to the cwd. */
	if (asprintf(&path, "%s/%s", ctx->dir, value) == -1)
		return config_fail(ctx, "out of memory");
	free(*dst);
	*dst = path;
	return 0;
}

int
config_set_int(struct config_ctx *ctx, int *dst, const char *value,
    long min, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno == ERANGE)
		return config_fail(ctx, "\"%s\" is not a number", value);
	if (n < min || n > max)
		return config_fail(ctx, "%ld is out of range (%ld to %ld)",
		    n, min, max);
	*dst = (int)n;
	return 0;
}

int
config_set_bool(struct config_ctx *ctx, int *dst, const char *value)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0)
		*dst = 1;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0)
		*dst = 0;
	else
		return config_fail(ctx, "\"%s\" is not yes or no", value);
	return 0;
}

static void
name_list_clear(struct name_list *list)
{
	size_t	 i;

	for (i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	list->names = NULL;
	list->count = 0;
}

/* "alice, bob staffgroup": commas or blanks separate names. */
static int
config_set_names(struct config_ctx *ctx, struct name_list *list,
    const char *value)
{
	const char	*p = value, *start;
	char		**grown;
	size_t		 len;

	name_list_clear(list);
	while (*p != '\0') {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		len = p - start;
		if (len > 64)
			return config_fail(ctx, "name too long");
		grown = reallocarray(list->names, list->count + 1,
		    sizeof(*grown));
		if (grown == NULL)
			return config_fail(ctx, "out of memory");
		list->names = grown;
		if ((list->names[list->count] = strndup(start, len)) == NULL)
			return config_fail(ctx, "out of memory");
		list->count++;
	}
	return 0;
}

static int
set_practice_name(struct config_ctx *ctx, const char *v)
{
	if (strlen(v) > 200)
		return config_fail(ctx, "practice name too long");
	return config_set_string(ctx, &ctx->conf->practice_name, v);
}

static int
set_practice_phone(struct config_ctx *ctx, const char *v)
{
	if (strlen(v) > 40 || strspn(v, "+0123456789 ()-.") != strlen(v))
		return config_fail(ctx, "phone \"%s\": digits, spaces, "
		    "+ ( ) - and . only", v);
	return config_set_string(ctx, &ctx->conf->practice_phone, v);
}

static int
set_timezone(struct config_ctx *ctx, const char *v)
{
	if (!tz_valid(v))
		return config_fail(ctx, "unknown time zone \"%s\" "
		    "(use an IANA name such as Europe/London)", v);
	ctx->conf->timezone_set = 1;
	return config_set_string(ctx, &ctx->conf->timezone, v);
}

static int
set_late_cancel(struct config_ctx *ctx, const char *v)
{
	return config_set_int(ctx, &ctx->conf->late_cancel_hours, v, 0, 720);
}

static int
set_horizon(struct config_ctx *ctx, const char *v)
{
	return config_set_int(ctx, &ctx->conf->series_horizon_days, v, 7,
	    1830);
}

static int
set_database(struct config_ctx *ctx, const char *v)
{
	return config_set_path(ctx, &ctx->conf->database, v);
}

static int
set_socket(struct config_ctx *ctx, const char *v)
{
	if (config_set_path(ctx, &ctx->conf->socket_path, v) == -1)
		return -1;
	/* sun_path holds 108 bytes, NUL included. */
	if (strlen(ctx->conf->socket_path) >= 108)
		return config_fail(ctx, "socket path %s is too long "
		    "(at most 107 bytes)", ctx->conf->socket_path);
	return 0;
}

static int
set_socket_group(struct config_ctx *ctx, const char *v)
{
	if (getgrnam(v) == NULL)
		return config_fail(ctx, "no such group \"%s\"", v);
	return config_set_string(ctx, &ctx->conf->socket_group, v);
}

static int
set_demo(struct config_ctx *ctx, const char *v)
{
	return config_set_bool(ctx, &ctx->conf->demo, v);
}

static int
set_max_connections(struct config_ctx *ctx, const char *v)
{
	return config_set_int(ctx, &ctx->conf->max_connections, v, 1, 1000);
}

static int
set_request_timeout(struct config_ctx *ctx, const char *v)
{
	return config_set_int(ctx, &ctx->conf->request_timeout, v, 1, 600);
}

static int
set_max_body(struct config_ctx *ctx, const char *v)
{
	int	 kib = 0;

	if (config_set_int(ctx, &kib, v, 1, 16384) == -1)
		return -1;
	ctx->conf->max_body = (size_t)kib * 1024;
	return 0;
}

static int
set_admin(struct config_ctx *ctx, const char *v)
{
	return config_set_names(ctx, &ctx->conf->admin, v);
}

static int
set_staff(struct config_ctx *ctx, const char *v)
{
	return config_set_names(ctx, &ctx->conf->staff, v);
}

static int
set_readonly(struct config_ctx *ctx, const char *v)
{
	return config_set_names(ctx, &ctx->conf->readonly, v);
}

static const struct config_key config_keys[] = {
	{ "practice", "name",			set_practice_name },
	{ "practice", "timezone",		set_timezone },
	{ "practice", "phone",			set_practice_phone },
	{ "practice", "late_cancel_hours",	set_late_cancel },
	{ "practice", "series_horizon_days",	set_horizon },
	{ "daemon", "database",			set_database },
	{ "daemon", "socket",			set_socket },
	{ "daemon", "socket_group",		set_socket_group },
	{ "daemon", "demo",			set_demo },
	{ "daemon", "max_connections",		set_max_connections },
	{ "daemon", "request_timeout",		set_request_timeout },
	{ "daemon", "max_body_kib",		set_max_body },
	{ "access", "admin",			set_admin },
	{ "access", "staff",			set_staff },
	{ "access", "readonly",			set_readonly },
	{ NULL, NULL, NULL }
};

static const struct config_key *config_tables[] = {
	config_keys, config_notify_keys,
	config_feeds_keys, config_backup_keys,
	config_agenda_keys
};

/* The key of section named key, or with key NULL the section's first. */
static const struct config_key *
config_find(const char *section, const char *key)
{
	const struct config_key	*k;
	size_t			 i;

	for (i = 0; i < sizeof(config_tables) / sizeof(config_tables[0]); i++)
		for (k = config_tables[i]; k->section != NULL; k++)
			if (strcmp(k->section, section) == 0 &&
			    (key == NULL || strcmp(k->key, key) == 0))
				return k;
	return NULL;
}

static char *
config_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int
config_section(struct config_ctx *ctx, char *line)
{
	char	*name, *close;

	if ((close = strchr(line, ']')) == NULL ||
	    *config_trim(close + 1) != '\0')
		return config_fail(ctx, "malformed section header");
	*close = '\0';
	name = config_trim(line + 1);
	if (config_find(name, NULL) == NULL)
		return config_fail(ctx, "unknown section [%s] (known: "
		    "practice, daemon, access, reminders, smtp, sms, "
		    "feeds, backup, agenda)", name);
	snprintf(ctx->section, sizeof(ctx->section), "%s", name);
	return 0;
}

static int
config_assignment(struct config_ctx *ctx, char *line)
{
	const struct config_key	*k;
	char			*eq, *key, *value;

	if ((eq = strchr(line, '=')) == NULL)
		return config_fail(ctx, "expected key = value");
	*eq = '\0';
	key = config_trim(line);
	value = config_trim(eq + 1);
	if (ctx->section[0] == '\0')
		return config_fail(ctx, "\"%s\" is outside any [section]", key);
	if ((k = config_find(ctx->section, key)) == NULL)
		return config_fail(ctx, "unknown key \"%s\" in [%s]", key,
		    ctx->section);
	return k->set(ctx, value);
}

static int
config_parse_line(struct config_ctx *ctx, char *raw)
{
	char	*line, *hash;

	/* '#' starts a comment only at the start of a word. */
	for (hash = raw; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash == raw || isspace((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	line = config_trim(raw);
	if (*line == '\0')
		return 0;
	if (*line == '[')
		return config_section(ctx, line);
	return config_assignment(ctx, line);
}

static int
config_defaults(struct config *conf)
{
	conf->practice_name = strdup("Practice");
	conf->timezone = strdup("UTC");
	conf->database = strdup("/var/lib/practiced/practice.db");
	conf->socket_path = strdup("/run/practiced/practiced.sock");
	conf->late_cancel_hours = 24;
	conf->series_horizon_days = 365;
	conf->max_connections = 64;
	conf->request_timeout = 10;
	conf->max_body = 64 * 1024;
	config_notify_defaults(conf);
	config_backup_defaults(conf);
	if (conf->practice_name == NULL || conf->timezone == NULL ||
	    conf->database == NULL || conf->socket_path == NULL)
		return -1;
	return 0;
}

static char *
config_dir_of(const char *path)
{
	char	*copy, *slash, *abs;

	if ((copy = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(copy, '/')) == NULL) {
		free(copy);
		return realpath(".", NULL);
	}
	if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	abs = realpath(copy, NULL);
	free(copy);
	return abs;
}

/* getline, not fgets: only a length that counts past a NUL can see one. */
static int
config_read(struct config_ctx *ctx, FILE *fp)
{
	char	*buf = NULL;
	size_t	 size = 0;
	ssize_t	 len;
	int	 rc = 0;

	while (rc == 0 && (len = getline(&buf, &size, fp)) != -1) {
		ctx->line++;
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len > CONFIG_LINE_MAX)
			rc = config_fail(ctx, "line too long");
		else if (memchr(buf, '\0', (size_t)len) != NULL)
			rc = config_fail(ctx, "NUL byte in line");
		else
			rc = config_parse_line(ctx, buf);
	}
	free(buf);
	if (rc == 0 && ferror(fp))
		rc = config_fail(ctx, "read error: %s", strerror(errno));
	return rc;
}

struct config *
config_load(const char *path, char *err, size_t errlen)
{
	struct config_ctx	 ctx;
	FILE			*fp;
	int			 rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file = path;
	ctx.err = err;
	ctx.errlen = errlen;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((ctx.conf = calloc(1, sizeof(*ctx.conf))) == NULL ||
	    config_defaults(ctx.conf) == -1 ||
	    (ctx.conf->path = strdup(path)) == NULL ||
	    (ctx.dir = config_dir_of(path)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		config_free(ctx.conf);
		free(ctx.dir);
		return NULL;
	}
	rc = config_read(&ctx, fp);
	fclose(fp);
	if (rc == 0)
		rc = config_notify_finish(&ctx);
	free(ctx.dir);
	if (rc == -1) {
		config_free(ctx.conf);
		return NULL;
	}
	return ctx.conf;
}

static size_t
config_nroles(const struct config *conf)
{
	return conf->admin.count + conf->staff.count + conf->readonly.count;
}

int
config_check_reload(const struct config *old, const struct config *new,
    char *err, size_t errlen)
{
	if (old->timezone_set && !new->timezone_set) {
		snprintf(err, errlen, "%s sets no timezone in [practice] "
		    "(running with %s); restart practiced to drop it",
		    new->path, old->timezone);
		return -1;
	}
	if (config_nroles(old) > 0 && config_nroles(new) == 0) {
		snprintf(err, errlen, "%s grants no role in [access], which "
		    "would lock every user out; restart practiced to drop "
		    "them all", new->path);
		return -1;
	}
	return 0;
}

void
config_free(struct config *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->practice_name);
	free(conf->practice_phone);
	free(conf->timezone);
	free(conf->database);
	free(conf->socket_path);
	free(conf->socket_group);
	name_list_clear(&conf->admin);
	name_list_clear(&conf->staff);
	name_list_clear(&conf->readonly);
	config_notify_free(conf);
	config_feeds_free(conf);
	config_backup_free(conf);
	free(conf);
}
