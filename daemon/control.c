/*
 * The control channel: the /v1 API on a Unix socket.  The HTTP server
 * (limits, connections, refusals) is http.c; here are the socket, who is
 * asking (SO_PEERCRED and the [access] lists), and the routes.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "config.h"
#include "check.h"
#include "control.h"
#include "fswatch.h"
#include "http.h"
#include "log.h"
#include "practiced.h"
#include "tz.h"

#define CONTROL_MAX_HEADERS	8192
#define CONTROL_STOP_GRACE	5	/* seconds to let requests finish */
#define CONTROL_STOP_ACCEPT_MS	100	/* to take the connections queued */
#define CONTROL_CALLERS		64	/* uids remembered until a reload */
#define CONTROL_MAXPARAMS	10

/*
 * Who a uid is.  getpwuid() and the group lists read files, or ask a
 * directory service, and can block: look each uid up once, until the
 * next reload.
 */
struct caller_entry {
	uid_t		 uid;
	char		 user[64];
	enum role	 role;
};

struct control {
	struct practiced	*pd;
	struct http_server	*server;
	char			*path;
	dev_t			 sock_dev;	/* the socket we made */
	ino_t			 sock_ino;
	int			 listening;
	struct fswatch		*watch;		/* the socket's folder */
	int			 watch_warned;	/* lstat failed: said once */
	struct event		*stopping;	/* the drain, once queued ones
						   are taken */
	void			(*stop_cb)(void *);
	void			*stop_arg;
	struct caller_entry	 callers[CONTROL_CALLERS];
	size_t			 ncallers;
	size_t			 next_caller;	/* replaced when full */
};

struct route {
	enum api_method	 method;
	const char	*path;		/* "*" matches one segment */
	enum role	 role;		/* the least role allowed */
	const char	*what;		/* for "may not ..." */
	api_handler	 handler;
	/* Query parameters besides "tz" (which GET and DELETE all take). */
	const char	*params[CONTROL_MAXPARAMS];
};

static const struct route routes[] = {
	{ API_GET, "/status", ROLE_READONLY, "read the status", api_status,
	    { NULL } },
	{ API_GET, "/clinicians", ROLE_READONLY, "list clinicians",
	    api_clinician_list, { "all", "q" } },
	{ API_POST, "/clinicians", ROLE_ADMIN, "add clinicians",
	    api_clinician_add, { NULL } },
	{ API_GET, "/clinicians/*", ROLE_READONLY, "see clinicians",
	    api_clinician_show, { NULL } },
	{ API_PATCH, "/clinicians/*", ROLE_ADMIN, "edit clinicians",
	    api_clinician_edit, { NULL } },
	{ API_PUT, "/clinicians/*/hours", ROLE_ADMIN, "set working hours",
	    api_clinician_hours, { NULL } },
	{ API_GET, "/clients", ROLE_READONLY, "list clients", api_client_list,
	    { "all", "q" } },
	{ API_POST, "/clients", ROLE_STAFF, "add clients", api_client_add,
	    { NULL } },
	{ API_GET, "/clients/*", ROLE_READONLY, "see clients",
	    api_client_show, { NULL } },
	{ API_PATCH, "/clients/*", ROLE_STAFF, "edit clients",
	    api_client_edit, { NULL } },
	{ API_GET, "/services", ROLE_READONLY, "list services",
	    api_service_list, { "all", "q" } },
	{ API_POST, "/services", ROLE_ADMIN, "add services", api_service_add,
	    { NULL } },
	{ API_GET, "/services/*", ROLE_READONLY, "see services",
	    api_service_show, { NULL } },
	{ API_PATCH, "/services/*", ROLE_ADMIN, "edit services",
	    api_service_edit, { NULL } },
	{ API_GET, "/rooms", ROLE_READONLY, "list rooms", api_room_list,
	    { "all", "q" } },
	{ API_POST, "/rooms", ROLE_ADMIN, "add rooms", api_room_add,
	    { NULL } },
	{ API_GET, "/rooms/*", ROLE_READONLY, "see rooms", api_room_show,
	    { NULL } },
	{ API_PATCH, "/rooms/*", ROLE_ADMIN, "edit rooms", api_room_edit,
	    { NULL } },
	{ API_GET, "/appointments", ROLE_READONLY, "list appointments",
	    api_appointment_list,
	    { "day", "week", "from", "to", "clinician", "client", "state",
	    PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_POST, "/appointments", ROLE_STAFF, "book appointments",
	    api_appointment_book, { NULL } },
	{ API_GET, "/appointments/*", ROLE_READONLY, "see appointments",
	    api_appointment_show, { NULL } },
	{ API_POST, "/appointments/*/move", ROLE_STAFF, "move appointments",
	    api_appointment_move, { NULL } },
	{ API_POST, "/appointments/*" PROTO_PATH_CANCEL, ROLE_STAFF,
	    "cancel appointments", api_appointment_cancel, { NULL } },
	{ API_POST, "/appointments/*" PROTO_PATH_RESTORE, ROLE_STAFF,
	    "restore appointments", api_appointment_restore, { NULL } },
	{ API_POST, "/appointments/*/mark", ROLE_STAFF, "mark appointments",
	    api_appointment_mark, { NULL } },
	{ API_GET, "/audit", ROLE_STAFF, "read the audit log",
	    api_audit_list, { "since", "limit", PROTO_PAGE_AFTER } },
	{ API_GET, "/series", ROLE_READONLY, "list series", api_series_list,
	    { "all", "client", "clinician", PROTO_PAGE_LIMIT,
	    PROTO_PAGE_AFTER } },
	{ API_GET, "/series/*", ROLE_READONLY, "see series",
	    api_series_show, { PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_GET, "/closures", ROLE_READONLY, "list closures",
	    api_closure_list, { "from", "to", "clinician" } },
	{ API_POST, "/closures", ROLE_STAFF, "add closures", api_closure_add,
	    { NULL } },
	{ API_DELETE, "/closures/*", ROLE_STAFF, "remove closures",
	    api_closure_remove, { NULL } },
	{ API_POST, "/closures/*" PROTO_PATH_CANCEL, ROLE_STAFF,
	    "cancel appointments", api_closure_cancel, { NULL } },
	{ API_GET, "/slots", ROLE_READONLY, "see free slots", api_slots,
	    { "clinician", "service", "room", "days", "step", "from" } },
	{ API_GET, "/clients/*/history", ROLE_READONLY, "see client history",
	    api_client_history, { PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_GET, "/reports/attendance", ROLE_READONLY, "see reports",
	    api_report_attendance, { "from", "to", "clinician",
	    PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_GET, PROTO_PATH_REMINDERS, ROLE_READONLY, "see reminders",
	    api_reminder_list, { PROTO_REMINDERS_STATE, PROTO_REMINDERS_NEXT,
	    PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_POST, PROTO_PATH_REMINDERS "/*" PROTO_PATH_RETRY, ROLE_STAFF,
	    "retry reminders", api_reminder_retry, { NULL } },
	{ API_POST, PROTO_PATH_REMINDERS PROTO_PATH_TESTS, ROLE_STAFF,
	    "send test messages", api_reminder_test, { NULL } },
	{ API_GET, PROTO_PATH_REMINDERS PROTO_PATH_TESTS "/*", ROLE_STAFF,
	    "send test messages", api_reminder_test_show, { NULL } },
	{ API_GET, PROTO_PATH_APPOINTMENTS "/*" PROTO_PATH_REMINDERS,
	    ROLE_READONLY, "see reminders", api_appointment_reminders,
	    { NULL } },
	{ API_GET, PROTO_PATH_EXPORT, ROLE_READONLY, "export the schedule",
	    api_export, { "clinician", "from", "to", "detail",
	    PROTO_EXPORT_PAGE } },
	/* A feed is a standing address outside the practice: only admins
	 * make one or give it a new token; staff may see and revoke. */
	{ API_POST, PROTO_PATH_FEEDS, ROLE_ADMIN, "add calendar feeds",
	    api_feed_add, { NULL } },
	{ API_GET, PROTO_PATH_FEEDS, ROLE_STAFF, "list calendar feeds",
	    api_feed_list, { NULL } },
	{ API_POST, PROTO_PATH_FEEDS "/*" PROTO_PATH_ROTATE, ROLE_ADMIN,
	    "rotate calendar feeds", api_feed_rotate, { NULL } },
	{ API_DELETE, PROTO_PATH_FEEDS "/*", ROLE_STAFF,
	    "revoke calendar feeds", api_feed_revoke, { NULL } },
	/* A busy calendar's address is a secret: shown redacted to all,
	 * given and taken by staff. */
	{ API_POST, PROTO_PATH_BUSY, ROLE_STAFF, "add busy calendars",
	    api_busy_add, { NULL } },
	{ API_GET, PROTO_PATH_BUSY, ROLE_READONLY, "list busy calendars",
	    api_busy_list, { NULL } },
	{ API_GET, PROTO_PATH_BUSY "/*", ROLE_READONLY, "see busy calendars",
	    api_busy_show, { NULL } },
	{ API_DELETE, PROTO_PATH_BUSY "/*", ROLE_STAFF,
	    "remove busy calendars", api_busy_remove, { NULL } },
	{ API_POST, PROTO_PATH_BUSY "/*" PROTO_PATH_REFRESH, ROLE_STAFF,
	    "refresh busy calendars", api_busy_refresh, { NULL } },
	{ API_GET, PROTO_PATH_BUSY "/*" PROTO_PATH_REFRESH "/*", ROLE_STAFF,
	    "refresh busy calendars", api_busy_fetch, { NULL } },
	{ API_POST, PROTO_PATH_BACKUPS, ROLE_ADMIN, "make backups",
	    api_backup, { NULL } },
	{ API_GET, PROTO_PATH_BACKUPS "/*", ROLE_ADMIN, "make backups",
	    api_backup_show, { NULL } },
	{ API_POST, PROTO_PATH_VERIFY, ROLE_ADMIN, "verify the database",
	    api_verify, { NULL } },
	{ API_GET, PROTO_PATH_VERIFY "/*", ROLE_ADMIN, "verify the database",
	    api_verify_show, { NULL } },
	/* Health data: a client's whole record, and its erasure. */
	{ API_GET, PROTO_PATH_CLIENTS "/*" PROTO_PATH_EXPORT, ROLE_ADMIN,
	    "export a client's data", api_client_export,
	    { PROTO_PAGE_LIMIT, PROTO_PAGE_AFTER } },
	{ API_POST, PROTO_PATH_CLIENTS "/*" PROTO_PATH_ERASE, ROLE_ADMIN,
	    "erase clients", api_client_erase, { NULL } },
	{ API_GET, PROTO_PATH_AGENDA, ROLE_READONLY, "see the agenda",
	    api_agenda, { "clinician", "day", PROTO_PAGE_AFTER } },
	{ API_POST, PROTO_PATH_IMPORTS, ROLE_STAFF, "import calendars",
	    api_import_create, { NULL } },
	{ API_POST, PROTO_PATH_IMPORTS "/*" PROTO_PATH_PARTS, ROLE_STAFF,
	    "import calendars", api_import_part, { NULL } },
	{ API_POST, PROTO_PATH_IMPORTS "/*" PROTO_PATH_START, ROLE_STAFF,
	    "import calendars", api_import_start, { NULL } },
	{ API_GET, PROTO_PATH_IMPORTS "/*", ROLE_STAFF, "import calendars",
	    api_import_show, { "items", NULL } },
};

#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/*
 * The handlers whose body is not a JSON object but bytes of one
 * Content-Type, handed on as they came (req->raw): an import's part is
 * the file itself, with no base64 in JSON to make and to read.
 */
static const struct {
	api_handler	 handler;
	const char	*type;
} raw_routes[] = {
	{ api_import_part, PROTO_IMPORT_PART_TYPE },
};

/* Who is asking */

/* The user is listed by name, or through a group they belong to. */
static int
name_listed(const struct name_list *list, const char *user, gid_t *groups,
    int ngroups)
{
	struct group	*gr;
	size_t		 i;
	int		 g;

	for (i = 0; i < list->count; i++) {
		if (strcmp(list->names[i], user) == 0)
			return 1;
		if ((gr = getgrnam(list->names[i])) == NULL)
			continue;
		for (g = 0; g < ngroups; g++)
			if (groups[g] == gr->gr_gid)
				return 1;
	}
	return 0;
}

static enum role
control_role(struct control *c, uid_t uid, const char *user, gid_t gid)
{
	const struct config	*conf = c->pd->conf;
	gid_t			 groups[64];
	int			 ngroups = 64;

	if (uid == 0 || uid == c->pd->uid)
		return ROLE_ADMIN;
	if (getgrouplist(user, gid, groups, &ngroups) == -1)
		ngroups = 64;	/* the first 64 are filled in */
	if (name_listed(&conf->admin, user, groups, ngroups))
		return ROLE_ADMIN;
	if (name_listed(&conf->staff, user, groups, ngroups))
		return ROLE_STAFF;
	if (name_listed(&conf->readonly, user, groups, ngroups))
		return ROLE_READONLY;
	return ROLE_NONE;
}

/* Name and role of uid, from the cache or looked up once. */
static const struct caller_entry *
control_identify(struct control *c, uid_t uid)
{
	struct caller_entry	*e;
	struct passwd		*pw;
	size_t			 i;

	for (i = 0; i < c->ncallers; i++)
		if (c->callers[i].uid == uid)
			return &c->callers[i];
	if (c->ncallers < CONTROL_CALLERS)
		e = &c->callers[c->ncallers++];
	else {
		e = &c->callers[c->next_caller];
		c->next_caller = (c->next_caller + 1) % CONTROL_CALLERS;
	}
	e->uid = uid;
	if ((pw = getpwuid(uid)) != NULL) {
		snprintf(e->user, sizeof(e->user), "%s", pw->pw_name);
		e->role = control_role(c, uid, pw->pw_name, pw->pw_gid);
	} else {
		snprintf(e->user, sizeof(e->user), "uid%u", (unsigned)uid);
		e->role = (uid == 0 || uid == c->pd->uid) ?
		    ROLE_ADMIN : ROLE_NONE;
	}
	return e;
}

static int
control_caller(struct control *c, struct http_request *hr,
    struct caller *who)
{
	const struct caller_entry	*e;
	struct ucred			 cred;
	socklen_t			 len = sizeof(cred);
	int				 fd;

	memset(who, 0, sizeof(*who));
	if ((fd = http_request_fd(hr)) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: peer credentials");
		return -1;
	}
	who->uid = cred.uid;
	who->pid = cred.pid;
	e = control_identify(c, cred.uid);
	snprintf(who->user, sizeof(who->user), "%s", e->user);
	who->role = e->role;
	return 0;
}

/* Routing */

static int
method_of(struct evhttp_request *http, enum api_method *m)
{
	switch (evhttp_request_get_command(http)) {
	case EVHTTP_REQ_GET:
		*m = API_GET;
		return 0;
	case EVHTTP_REQ_POST:
		*m = API_POST;
		return 0;
	case EVHTTP_REQ_PUT:
		*m = API_PUT;
		return 0;
	case EVHTTP_REQ_PATCH:
		*m = API_PATCH;
		return 0;
	case EVHTTP_REQ_DELETE:
		*m = API_DELETE;
		return 0;
	default:
		return -1;
	}
}

/*
 * Match a route's path ("*" for one segment) against the decoded
 * segments of the request; captured segments point into segs.
 */
static int
route_match(const struct route *r, char **segs, size_t nsegs,
    const char **args)
{
	const char	*p = r->path;
	size_t		 i, len, nargs = 0;

	for (i = 0; i < nsegs; i++) {
		if (*p != '/')
			return 0;
		p++;
		len = strcspn(p, "/");
		if (len == 1 && *p == '*') {
			if (nargs == API_MAXARGS)
				return 0;
			args[nargs++] = segs[i];
		} else if (strlen(segs[i]) != len ||
		    strncmp(p, segs[i], len) != 0)
			return 0;
		p += len;
	}
	return *p == '\0';
}

#define MAX_SEGS	4

static int
split_path(const char *path, char **segs, size_t *nsegs)
{
	const char	*p = path;
	char		*raw;
	size_t		 len, decoded;

	*nsegs = 0;
	while (*p == '/') {
		p++;
		len = strcspn(p, "/");
		if (len == 0 || *nsegs == MAX_SEGS)
			return -1;
		if ((raw = strndup(p, len)) == NULL)
			return -1;
		segs[*nsegs] = evhttp_uridecode(raw, 0, &decoded);
		free(raw);
		if (segs[*nsegs] == NULL)
			return -1;
		/* Split before decoding, so "%2F" stays inside its name. */
		if (decoded == 0 || decoded > 200 ||
		    strlen(segs[*nsegs]) != decoded) {
			free(segs[*nsegs]);
			return -1;
		}
		(*nsegs)++;
		p += len;
	}
	return *p == '\0' ? 0 : -1;
}

static const struct route *
control_route(struct api_req *req, const char *path, char **segs,
    size_t *nsegs)
{
	const struct route	*r;
	size_t			 i;
	int			 path_known = 0;

	if (strncmp(path, PROTO_PREFIX "/", strlen(PROTO_PREFIX) + 1) != 0 ||
	    split_path(path + strlen(PROTO_PREFIX), segs, nsegs) == -1) {
		api_error(req, PROTO_ENOTFOUND, "no such path: %.100s", path);
		return NULL;
	}
	for (i = 0; i < NROUTES; i++) {
		r = &routes[i];
		memset(req->arg, 0, sizeof(req->arg));
		if (!route_match(r, segs, *nsegs, req->arg))
			continue;
		path_known = 1;
		if (r->method == req->method)
			return r;
	}
	if (path_known)
		api_error(req, PROTO_EMETHOD, "method not allowed on %.100s",
		    path);
	else
		api_error(req, PROTO_ENOTFOUND, "no such path: %.100s", path);
	return NULL;
}

/* The media type is want's, whatever its parameters ("; charset=..."). */
static int
type_is(const char *type, const char *want)
{
	size_t	 n = strlen(want);

	return type != NULL && strncasecmp(type, want, n) == 0 &&
	    (type[n] == '\0' || type[n] == ';' || type[n] == ' ' ||
	    type[n] == '\t');
}

/* A type short and plain enough to quote back. */
static int
type_quotable(const char *type)
{
	const char	*p;

	if (strlen(type) > 60)
		return 0;
	for (p = type; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == '"')
			return 0;
	return 1;
}

/* The type of a raw route's body, or NULL for JSON. */
static const char *
route_raw_type(const struct route *r)
{
	size_t	 i;

	for (i = 0; i < sizeof(raw_routes) / sizeof(raw_routes[0]); i++)
		if (raw_routes[i].handler == r->handler)
			return raw_routes[i].type;
	return NULL;
}

/* A raw route's body, as it came: only its type is checked here. */
static int
control_raw(struct api_req *req, const struct route *r, const char *want,
    const char *type, const char *data, size_t len)
{
	char	 got[80];

	if (!type_is(type, want)) {
		if (type == NULL)
			snprintf(got, sizeof(got), "none");
		else if (type_quotable(type))
			snprintf(got, sizeof(got), "\"%s\"", type);
		else
			snprintf(got, sizeof(got), "another");
		api_error(req, PROTO_EMEDIATYPE, "%s%s takes a body of "
		    "Content-Type %s, not %s", PROTO_PREFIX, r->path, want,
		    got);
		return -1;
	}
	req->raw = data;
	req->rawlen = len;
	return 0;
}

static int
control_body(struct api_req *req, const struct route *r, const char *type,
    const char *data, size_t len)
{
	json_error_t	 jerr;
	const char	*raw_type;

	if ((raw_type = route_raw_type(r)) != NULL)
		return control_raw(req, r, raw_type, type, data, len);
	if (req->method == API_GET || req->method == API_DELETE) {
		if (len > 0) {
			api_error(req, PROTO_EBADREQUEST,
			    "a GET or DELETE request takes no body");
			return -1;
		}
		return 0;
	}
	if (len == 0) {
		req->body = json_object();
		return req->body == NULL ? -1 : 0;
	}
	req->body = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (req->body == NULL) {
		api_error(req, PROTO_EBADREQUEST,
		    "malformed JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return -1;
	}
	if (!json_is_object(req->body)) {
		api_error(req, PROTO_EBADREQUEST,
		    "the body must be a JSON object");
		return -1;
	}
	return 0;
}

static int
control_zone(struct api_req *req)
{
	const char	*tz;

	if (req->method == API_GET || req->method == API_DELETE)
		tz = api_query(req, "tz");
	else if (api_zone(req, "tz", &tz) == -1)
		return -1;
	if (tz == NULL)
		return 0;
	if (!tz_valid(tz)) {
		api_error(req, PROTO_EBADREQUEST, "unknown time zone \"%.64s\"",
		    tz);
		return -1;
	}
	/* Copied: the body's own string goes with the field below. */
	ctx_set_zone(&req->ctx, tz);
	if (req->body != NULL)
		json_object_del(req->body, "tz");	/* handlers need not know */
	return 0;
}

static int
control_authorize(struct practiced *pd, struct api_req *req,
    const struct route *r)
{
	if (req->who->role == ROLE_NONE) {
		api_error(req, PROTO_EFORBIDDEN, "permission denied: user %s "
		    "(uid %u) has no role in the [access] section of %s",
		    req->who->user, (unsigned)req->who->uid,
		    pd->conf->path);
		return -1;
	}
	if (req->who->role < r->role) {
		api_error(req, PROTO_EFORBIDDEN, "permission denied: %s users "
		    "may not %s", role_name(req->who->role), r->what);
		return -1;
	}
	return 0;
}


/* The query */

static int
query_hex(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
query_utf8(const unsigned char *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i += n)
		if ((n = check_utf8_seq(s + i, len - i)) == 0)
			return 0;
	return 1;
}

/*
 * Percent-decode s in place ('+' is a blank).  A broken escape, a
 * control character (a decoded NUL would cut "UTC%00x" to "UTC") or
 * text that is not UTF-8 is refused, not guessed at.
 */
static int
query_decode(char *s)
{
	char	*r = s, *w = s;
	size_t	 i;

	while (*r != '\0') {
		if (*r == '%') {
			if (query_hex(r[1]) == -1 || query_hex(r[2]) == -1)
				return -1;
			*w++ = (char)(query_hex(r[1]) * 16 + query_hex(r[2]));
			r += 3;
		} else if (*r == '+') {
			*w++ = ' ';
			r++;
		} else
			*w++ = *r++;
	}
	for (i = 0; s + i < w; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -1;
	*w = '\0';
	return query_utf8((const unsigned char *)s, (size_t)(w - s)) ? 0 : -1;
}

/* A name safe to quote back: letters, digits, '_' and '-'. */
static int
query_plain(const char *s)
{
	if (*s == '\0' || strlen(s) > 40)
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

/* "k=v&k=v" into query, each key once.  evhttp's parser cuts at a NUL. */
static int
control_query(struct api_req *req, const char *qs, struct evkeyvalq *query)
{
	char	*copy, *p, *key, *value;
	int	 rc = -1;

	if ((copy = strdup(qs)) == NULL) {
		api_internal(req);
		return -1;
	}
	for (p = copy; p != NULL && *p != '\0';) {
		value = strsep(&p, "&");
		key = strsep(&value, "=");
		if (!query_plain(key)) {
			api_error(req, PROTO_EBADREQUEST, "malformed query "
			    "parameter name");
			goto out;
		}
		if (value == NULL || query_decode(value) == -1) {
			api_error(req, PROTO_EBADREQUEST, "query parameter "
			    "%s: %s", key, value == NULL ? "no value (give "
			    "name=value)" : "the value is not percent-encoded "
			    "UTF-8 text without control characters");
			goto out;
		}
		if (evhttp_find_header(query, key) != NULL) {
			api_error(req, PROTO_EBADREQUEST, "query parameter "
			    "%s given twice", key);
			goto out;
		}
		if (evhttp_add_header(query, key, value) == -1) {
			api_internal(req);
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Every parameter is one the route reads: a misspelt one is not ignored. */
static int
control_params(struct api_req *req, const struct route *r)
{
	struct evkeyval	*kv;
	char		 known[200];
	size_t		 i;
	int		 zone = req->method == API_GET ||
			    req->method == API_DELETE;

	TAILQ_FOREACH(kv, req->query, next) {
		if (zone && strcmp(kv->key, "tz") == 0)
			continue;
		for (i = 0; i < CONTROL_MAXPARAMS && r->params[i] != NULL; i++)
			if (strcmp(r->params[i], kv->key) == 0)
				break;
		if (i < CONTROL_MAXPARAMS && r->params[i] != NULL)
			continue;
		known[0] = '\0';
		for (i = 0; i < CONTROL_MAXPARAMS && r->params[i] != NULL; i++)
			snprintf(known + strlen(known), sizeof(known) -
			    strlen(known), "%s, ", r->params[i]);
		if (zone)
			snprintf(known + strlen(known), sizeof(known) -
			    strlen(known), "tz, ");
		if (known[0] != '\0')
			known[strlen(known) - 2] = '\0';
		api_error(req, PROTO_EBADREQUEST, "unknown query parameter "
		    "\"%s\" (%s%s takes %s)", kv->key, PROTO_PREFIX, r->path,
		    known[0] ? known : "none");
		return -1;
	}
	return 0;
}

void
control_handle(struct practiced *pd, struct api_req *req,
    struct evkeyvalq *query, const char *path, const char *qs,
    const char *type, const char *body, size_t len)
{
	const struct route	*r;
	char			*segs[MAX_SEGS];
	size_t			 nsegs = 0, i;

	if (qs != NULL && control_query(req, qs, query) == -1)
		return;
	req->query = query;
	if ((r = control_route(req, path, segs, &nsegs)) != NULL &&
	    control_authorize(pd, req, r) == 0 &&
	    control_params(req, r) == 0 &&
	    control_body(req, r, type, body, len) == 0 &&
	    control_zone(req) == 0) {
		log_debug("%s %s by %s (%s)", req->method == API_GET ?
		    "GET" : "change", r->path, req->who->user,
		    role_name(req->who->role));
		r->handler(req);
	}
	for (i = 0; i < nsegs; i++)
		free(segs[i]);
}

static void
control_dispatch(struct control *c, struct evhttp_request *http,
    struct api_req *req, struct evkeyvalq *query)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(http);
	struct evbuffer		*in = evhttp_request_get_input_buffer(http);
	size_t			 len = evbuffer_get_length(in);
	const char		*path, *body = "";

	if (method_of(http, &req->method) == -1) {
		api_error(req, PROTO_EMETHOD, "method not allowed");
		return;
	}
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	if (path == NULL) {
		api_error(req, PROTO_EBADREQUEST, "malformed request address");
		return;
	}
	if (len > 0 && (body = (const char *)evbuffer_pullup(in, len)) ==
	    NULL) {
		api_internal(req);
		return;
	}
	control_handle(c->pd, req, query, path, evhttp_uri_get_query(uri),
	    evhttp_find_header(evhttp_request_get_input_headers(http),
	    "Content-Type"), body, len);
}

static void
control_request(struct http_request *hr, void *arg)
{
	struct control		*c = arg;
	struct caller		 who;
	struct api_req		 req;
	struct evkeyvalq	 query;

	memset(&req, 0, sizeof(req));
	TAILQ_INIT(&query);
	ctx_init(&req.ctx, c->pd, time(NULL));
	req.http = hr;
	req.who = &who;
	if (control_caller(c, hr, &who) == -1)
		api_internal(&req);
	else {
		ctx_set_actor(&req.ctx, who.uid, who.user, role_name(who.role));
		control_dispatch(c, http_request_evhttp(hr), &req, &query);
	}
	api_answer(&req);
	if (req.text != NULL)
		http_reply(hr, req.status, req.text_type, req.text,
		    strlen(req.text));
	else
		http_reply_json(hr, req.status, req.reply);
	free(req.text);
	json_decref(req.reply);
	json_decref(req.body);
	evhttp_clear_headers(&query);
}

/* The socket */

/* Only ever remove a stale socket, never a file put there. */
static int
control_unlink_stale(const char *path, char *err, size_t len)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd, rc;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, len, "%s: another practiced is already "
		    "listening", path);
		return -1;
	}
	if (errno != ECONNREFUSED)
		return 0;
	if (lstat(path, &sb) == -1) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(err, len, "%s exists and is not a socket; not "
		    "removing it", path);
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(err, len, "unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A bound socket at the configured path, 0660, or -1 and why. */
static int
control_socket(struct control *c, char *err, size_t len)
{
	const struct config	*conf = c->pd->conf;
	struct sockaddr_un	 sun;
	struct group		*gr = NULL;
	struct stat		 sb;
	mode_t			 old_umask;
	char			*made;
	int			 fd, rc;

	/*
	 * Bound under a name of its own, given its group and mode, then
	 * renamed into place: the socket appears as it is meant to be.
	 */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s.new",
	    c->path) >= (int)sizeof(sun.sun_path)) {
		snprintf(err, len, "%s: socket path too long", c->path);
		return -1;
	}
	made = sun.sun_path;
	if (conf->socket_group != NULL &&
	    (gr = getgrnam(conf->socket_group)) == NULL) {
		snprintf(err, len, "socket_group %s: no such group",
		    conf->socket_group);
		return -1;
	}
	if (control_unlink_stale(c->path, err, len) == -1)
		return -1;
	if (unlink(made) == -1 && errno != ENOENT) {
		snprintf(err, len, "unlink %s: %s", made, strerror(errno));
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		snprintf(err, len, "socket: %s", strerror(errno));
		return -1;
	}
	/* Created 0660 from the start: no window in which it is wider. */
	old_umask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (rc == -1) {
		snprintf(err, len, "bind %s: %s", made, strerror(errno));
		goto fail;
	}
	if ((gr != NULL && chown(made, (uid_t)-1, gr->gr_gid) == -1) ||
	    chmod(made, 0660) == -1 || rename(made, c->path) == -1 ||
	    lstat(c->path, &sb) == -1) {
		snprintf(err, len, "%s: %s", c->path, strerror(errno));
		goto fail_unlink;
	}
	c->sock_dev = sb.st_dev;
	c->sock_ino = sb.st_ino;
	return fd;
fail_unlink:
	unlink(made);
fail:
	close(fd);
	return -1;
}

static int
control_listen(struct control *c, char *err, size_t len)
{
	int	 fd;

	if ((fd = control_socket(c, err, len)) == -1)
		return -1;
	if (http_server_bind_fd(c->server, fd) == -1) {
		snprintf(err, len, "cannot listen on %s: %s", c->path,
		    strerror(errno));
		unlink(c->path);
		return -1;
	}
	c->listening = 1;
	return 0;
}

/* Whether the file at our path is still the socket we made. */
static int
control_socket_ours(const struct control *c)
{
	struct stat	 sb;

	return lstat(c->path, &sb) == 0 && sb.st_dev == c->sock_dev &&
	    sb.st_ino == c->sock_ino;
}

/*
 * The socket's folder, made again if it was removed (not its parents):
 * 0750 and the socket's group, as the shipped units make it.
 */
static int
control_mkdir(const struct control *c, char *err, size_t len)
{
	const char	*group = c->pd->conf->socket_group;
	struct group	*gr = NULL;
	struct stat	 sb;
	char		*copy, *dir;
	int		 rc = 0;

	if ((copy = strdup(c->path)) == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	dir = dirname(copy);
	if (stat(dir, &sb) == 0 || errno != ENOENT)
		goto out;
	if (group != NULL && (gr = getgrnam(group)) == NULL) {
		snprintf(err, len, "socket_group %s: no such group", group);
		rc = -1;
	} else if (mkdir(dir, 0750) == -1 || chmod(dir, 0750) == -1 ||
	    (gr != NULL && chown(dir, (uid_t)-1, gr->gr_gid) == -1)) {
		snprintf(err, len, "mkdir %s: %s", dir, strerror(errno));
		rc = -1;
	} else
		log_warnx("the socket's folder %s was removed: made it again",
		    dir);
out:
	free(copy);
	return rc;
}

/*
 * A socket removed while we run (its folder cleaned away, a stray rm)
 * leaves a daemon no one can reach and room for a second one: make it
 * again, or exit, loudly, if that cannot be done.
 */
static void
control_check_socket(struct control *c)
{
	struct stat	 sb;
	char		 err[512];

	if (!c->listening || control_socket_ours(c))
		return;
	if (lstat(c->path, &sb) == 0)
		fatalx("%s was replaced by another file; exiting, since no "
		    "one can reach this daemon", c->path);
	if (errno != ENOENT && errno != ENOTDIR) {
		if (!c->watch_warned)
			log_warn("control: cannot check %s", c->path);
		c->watch_warned = 1;
		return;
	}
	log_warnx("%s was removed: making the socket again", c->path);
	http_server_unbind(c->server);
	c->listening = 0;
	if (control_mkdir(c, err, sizeof(err)) == -1 ||
	    control_listen(c, err, sizeof(err)) == -1)
		fatalx("%s; exiting, since no one can reach this daemon", err);
	log_info("listening on %s again", c->path);
}

/* Something in the socket's folder changed, or the folder went. */
static void
control_watch_cb(void *arg)
{
	struct control	*c = arg;

	control_check_socket(c);
	fswatch_rearm(c->watch);
}

static void
control_limits(const struct control *c, struct http_limits *l)
{
	const struct config	*conf = c->pd->conf;

	memset(l, 0, sizeof(*l));
	l->max_headers = CONTROL_MAX_HEADERS;
	l->max_body = conf->max_body;
	l->timeout = conf->request_timeout;
	l->max_connections = conf->max_connections;
}

void
control_reconfigure(struct control *c)
{
	struct http_limits	 l;

	control_limits(c, &l);
	http_server_set_limits(c->server, &l);
	/* Users, groups and [access] may all have changed. */
	c->ncallers = 0;
	c->next_caller = 0;
}

struct control *
control_start(struct practiced *pd)
{
	struct control		*c;
	struct http_limits	 l;
	char			 err[512];

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(pd->conf->socket_path)) == NULL)
		fatal("control");
	c->pd = pd;
	control_limits(c, &l);
	if ((c->server = http_server_new(pd->base, &l, control_request, c))
	    == NULL)
		fatalx("control: cannot set up the HTTP server");
	if (control_listen(c, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((c->watch = fswatch_new(pd->base, c->path, control_watch_cb, c))
	    == NULL)
		fatalx("control: cannot watch %s", c->path);
	log_info("listening on %s", c->path);
	return c;
}

/* Remove the socket, unless it is no longer ours. */
static void
control_unlink(struct control *c)
{
	if (!c->listening)
		return;
	c->listening = 0;
	if (control_socket_ours(c) && unlink(c->path) == -1)
		log_warn("unlink %s", c->path);
}

static void
control_drain(evutil_socket_t fd, short what, void *arg)
{
	struct control	*c = arg;

	(void)fd;
	(void)what;
	http_server_drain(c->server, CONTROL_STOP_GRACE, c->stop_cb,
	    c->stop_arg);
}

/*
 * The socket's name goes first, so that a new caller is told at once
 * that no daemon listens; the connections already queued on the socket
 * are accepted and answered a moment longer (closing it at once would
 * reset them), then the server drains.
 */
void
control_stop(struct control *c, void (*done_cb)(void *), void *arg)
{
	struct timeval	 tv = { 0, CONTROL_STOP_ACCEPT_MS * 1000 };

	if (c->stopping != NULL)	/* a second signal: under way */
		return;
	fswatch_free(c->watch);
	c->watch = NULL;
	control_unlink(c);
	c->stop_cb = done_cb;
	c->stop_arg = arg;
	if ((c->stopping = evtimer_new(c->pd->base, control_drain, c)) == NULL ||
	    evtimer_add(c->stopping, &tv) == -1)
		control_drain(-1, 0, c);
}

void
control_free(struct control *c)
{
	if (c == NULL)
		return;
	control_unlink(c);
	if (c->stopping != NULL)
		event_free(c->stopping);
	http_server_free(c->server);
	fswatch_free(c->watch);
	free(c->path);
	free(c);
}
