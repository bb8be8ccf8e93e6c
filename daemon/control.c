/*
 * The control channel: HTTP/1.1 + JSON on a Unix socket, served by
 * evhttp.  Every request is answered from its own callback (evhttp has
 * crashed on replies sent after a client left, libevent #997), every
 * caller is identified by SO_PEERCRED, and evhttp's unlimited defaults
 * are replaced by the limits in the configuration.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include <sys/queue.h>

#include "api.h"
#include "config.h"
#include "control.h"
#include "log.h"
#include "practiced.h"
#include "tz.h"

#define CONTROL_MAX_HEADERS	8192
#define CONTROL_STOP_GRACE	5	/* seconds to let requests finish */

struct control {
	struct practiced		*pd;
	struct evhttp			*http;
	struct evhttp_bound_socket	*bound;
	char				*path;
	/*
	 * evhttp 2.1 cannot cap connections, so we count them: each
	 * connection's bufferevent is made by us (bevcb) and held by an
	 * extra reference until evhttp has let go of it.
	 */
	struct bufferevent		**conns;
	size_t				  nconns;
	size_t				  capconns;
	struct event			*sweep;
	int				  paused;
	int				  stopping;
	time_t				  stop_deadline;
	void				(*done_cb)(void *);
	void				 *done_arg;
};

struct route {
	enum api_method	 method;
	const char	*path;		/* "*" matches one segment */
	enum role	 role;		/* the least role allowed */
	const char	*what;		/* for "may not ..." */
	api_handler	 handler;
};

static const struct route routes[] = {
	{ API_GET, "/status", ROLE_READONLY, "read the status", api_status },
	{ API_GET, "/clinicians", ROLE_READONLY, "list clinicians",
	    api_clinician_list },
	{ API_POST, "/clinicians", ROLE_ADMIN, "add clinicians",
	    api_clinician_add },
	{ API_GET, "/clinicians/*", ROLE_READONLY, "see clinicians",
	    api_clinician_show },
	{ API_PATCH, "/clinicians/*", ROLE_ADMIN, "edit clinicians",
	    api_clinician_edit },
	{ API_PUT, "/clinicians/*/hours", ROLE_ADMIN, "set working hours",
	    api_clinician_hours },
	{ API_GET, "/clients", ROLE_READONLY, "list clients", api_client_list },
	{ API_POST, "/clients", ROLE_STAFF, "add clients", api_client_add },
	{ API_GET, "/clients/*", ROLE_READONLY, "see clients",
	    api_client_show },
	{ API_PATCH, "/clients/*", ROLE_STAFF, "edit clients",
	    api_client_edit },
	{ API_GET, "/services", ROLE_READONLY, "list services",
	    api_service_list },
	{ API_POST, "/services", ROLE_ADMIN, "add services", api_service_add },
	{ API_GET, "/services/*", ROLE_READONLY, "see services",
	    api_service_show },
	{ API_PATCH, "/services/*", ROLE_ADMIN, "edit services",
	    api_service_edit },
	{ API_GET, "/rooms", ROLE_READONLY, "list rooms", api_room_list },
	{ API_POST, "/rooms", ROLE_ADMIN, "add rooms", api_room_add },
	{ API_GET, "/rooms/*", ROLE_READONLY, "see rooms", api_room_show },
	{ API_PATCH, "/rooms/*", ROLE_ADMIN, "edit rooms", api_room_edit },
	{ API_GET, "/appointments", ROLE_READONLY, "list appointments",
	    api_appointment_list },
	{ API_POST, "/appointments", ROLE_STAFF, "book appointments",
	    api_appointment_book },
	{ API_GET, "/appointments/*", ROLE_READONLY, "see appointments",
	    api_appointment_show },
	{ API_POST, "/appointments/*/move", ROLE_STAFF, "move appointments",
	    api_appointment_move },
	{ API_POST, "/appointments/*/cancel", ROLE_STAFF,
	    "cancel appointments", api_appointment_cancel },
	{ API_POST, "/appointments/*/mark", ROLE_STAFF, "mark appointments",
	    api_appointment_mark },
	{ API_GET, "/audit", ROLE_STAFF, "read the audit log",
	    api_audit_list },
	{ API_GET, "/series", ROLE_READONLY, "list series", api_series_list },
	{ API_GET, "/series/*", ROLE_READONLY, "see series",
	    api_series_show },
	{ API_GET, "/closures", ROLE_READONLY, "list closures",
	    api_closure_list },
	{ API_POST, "/closures", ROLE_STAFF, "add closures", api_closure_add },
	{ API_DELETE, "/closures/*", ROLE_STAFF, "remove closures",
	    api_closure_remove },
	{ API_GET, "/slots", ROLE_READONLY, "see free slots", api_slots },
	{ API_GET, "/clients/*/history", ROLE_READONLY, "see client history",
	    api_client_history },
	{ API_GET, "/reports/attendance", ROLE_READONLY, "see reports",
	    api_report_attendance },
};

#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/* Connection accounting */

static void	control_sweep_cb(evutil_socket_t, short, void *);

static void
control_listen_enable(struct control *c, int on)
{
	struct evconnlistener	*l;

	if (c->bound == NULL || c->paused == !on)
		return;
	l = evhttp_bound_socket_get_listener(c->bound);
	if (on)
		evconnlistener_enable(l);
	else
		evconnlistener_disable(l);
	c->paused = !on;
	if (!on)
		log_warnx("control: %zu connections open, not accepting more "
		    "until some close", c->nconns);
}

/* Drop our reference to every bufferevent evhttp has freed. */
static void
control_sweep(struct control *c)
{
	bufferevent_data_cb	 rd, wr;
	bufferevent_event_cb	 ev;
	void			*arg;
	size_t			 i = 0;

	while (i < c->nconns) {
		bufferevent_getcb(c->conns[i], &rd, &wr, &ev, &arg);
		if (rd == NULL && ev == NULL && arg == NULL) {
			bufferevent_decref(c->conns[i]);
			c->conns[i] = c->conns[--c->nconns];
		} else
			i++;
	}
	if (!c->stopping &&
	    c->nconns < (size_t)c->pd->conf->max_connections)
		control_listen_enable(c, 1);
}

static void
control_sweep_arm(struct control *c)
{
	struct timeval	 tv = { 0, 200000 };

	if (c->nconns > 0 || c->stopping)
		evtimer_add(c->sweep, &tv);
}

static void
control_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct control	*c = arg;

	(void)fd;
	(void)what;
	control_sweep(c);
	if (c->stopping && (c->nconns == 0 || time(NULL) >= c->stop_deadline)) {
		if (c->nconns > 0)
			log_warnx("control: %zu connections still open at exit",
			    c->nconns);
		c->done_cb(c->done_arg);
		return;
	}
	control_sweep_arm(c);
}

static struct bufferevent *
control_new_bev(struct event_base *base, void *arg)
{
	struct control		 *c = arg;
	struct bufferevent	 *bev, **grown;

	control_sweep(c);
	if ((bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE))
	    == NULL)
		return NULL;
	if (c->nconns == c->capconns) {
		grown = reallocarray(c->conns, c->capconns + 16,
		    sizeof(*grown));
		if (grown == NULL)
			return bev;	/* untracked, but served */
		c->conns = grown;
		c->capconns += 16;
	}
	bufferevent_incref(bev);
	c->conns[c->nconns++] = bev;
	if (c->nconns >= (size_t)c->pd->conf->max_connections)
		control_listen_enable(c, 0);
	control_sweep_arm(c);
	return bev;
}

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

static int
control_caller(struct control *c, struct evhttp_request *http,
    struct caller *who)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct ucred			 cred;
	socklen_t			 len = sizeof(cred);
	struct passwd			*pw;
	evutil_socket_t			 fd;

	memset(who, 0, sizeof(*who));
	if ((evcon = evhttp_request_get_connection(http)) == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (fd = bufferevent_getfd(bev)) == -1 ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: peer credentials");
		return -1;
	}
	who->uid = cred.uid;
	who->pid = cred.pid;
	if ((pw = getpwuid(cred.uid)) != NULL) {
		snprintf(who->user, sizeof(who->user), "%s", pw->pw_name);
		who->role = control_role(c, cred.uid, pw->pw_name, pw->pw_gid);
	} else {
		snprintf(who->user, sizeof(who->user), "uid%u",
		    (unsigned)cred.uid);
		who->role = (cred.uid == 0 || cred.uid == c->pd->uid) ?
		    ROLE_ADMIN : ROLE_NONE;
	}
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

static int
control_body(struct api_req *req, struct evhttp_request *http)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(http);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 jerr;
	unsigned char	*data;

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
	if ((data = evbuffer_pullup(in, len)) == NULL) {
		api_internal(req);
		return -1;
	}
	req->body = json_loadb((const char *)data, len,
	    JSON_REJECT_DUPLICATES, &jerr);
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
control_authorize(struct control *c, struct api_req *req,
    const struct route *r)
{
	if (req->who->role == ROLE_NONE) {
		api_error(req, PROTO_EFORBIDDEN, "permission denied: user %s "
		    "(uid %u) has no role in the [access] section of %s",
		    req->who->user, (unsigned)req->who->uid,
		    c->pd->conf->path);
		return -1;
	}
	if (req->who->role < r->role) {
		api_error(req, PROTO_EFORBIDDEN, "permission denied: %s users "
		    "may not %s", role_name(req->who->role), r->what);
		return -1;
	}
	return 0;
}

static void
control_send(struct evhttp_request *http, struct api_req *req)
{
	struct evbuffer	*out = evhttp_request_get_output_buffer(http);
	char		*text;

	api_answer(req);
	text = req->reply ? json_dumps(req->reply, JSON_COMPACT) : NULL;
	evhttp_add_header(evhttp_request_get_output_headers(http),
	    "Content-Type", "application/json");
	if (text == NULL || evbuffer_add(out, text, strlen(text)) == -1 ||
	    evbuffer_add(out, "\n", 1) == -1) {
		free(text);
		evhttp_send_error(http, 500, "out of memory");
		return;
	}
	free(text);
	evhttp_send_reply(http, req->status, NULL, NULL);
}

static void
control_dispatch(struct control *c, struct evhttp_request *http,
    struct api_req *req, struct evkeyvalq *query)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(http);
	const struct route	*r;
	const char		*path, *qs;
	char			*segs[MAX_SEGS];
	size_t			 nsegs = 0, i;

	if (method_of(http, &req->method) == -1) {
		api_error(req, PROTO_EMETHOD, "method not allowed");
		return;
	}
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	qs = uri ? evhttp_uri_get_query(uri) : NULL;
	if (path == NULL || (qs != NULL && evhttp_parse_query_str(qs, query))) {
		api_error(req, PROTO_EBADREQUEST, "malformed request address");
		return;
	}
	req->query = query;
	if ((r = control_route(req, path, segs, &nsegs)) != NULL &&
	    control_authorize(c, req, r) == 0 &&
	    control_body(req, http) == 0 && control_zone(req) == 0) {
		log_debug("%s %s by %s (%s)", evhttp_request_get_command(http)
		    == EVHTTP_REQ_GET ? "GET" : "change", r->path,
		    req->who->user, role_name(req->who->role));
		r->handler(req);
	}
	for (i = 0; i < nsegs; i++)
		free(segs[i]);
}

static void
control_request(struct evhttp_request *http, void *arg)
{
	struct control		*c = arg;
	struct caller		 who;
	struct api_req		 req;
	struct evkeyvalq	 query;

	memset(&req, 0, sizeof(req));
	TAILQ_INIT(&query);
	ctx_init(&req.ctx, c->pd, time(NULL));
	req.who = &who;
	if (control_caller(c, http, &who) == -1)
		api_internal(&req);
	else {
		ctx_set_actor(&req.ctx, who.uid, who.user, role_name(who.role));
		control_dispatch(c, http, &req, &query);
	}
	control_send(http, &req);
	json_decref(req.reply);
	json_decref(req.body);
	evhttp_clear_headers(&query);
}

/* The socket */

static void
control_unlink_stale(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd;

	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		fatalx("%s: another practiced is already listening", path);
	close(fd);
	if (errno != ECONNREFUSED)
		return;
	/* Only ever remove a stale socket, never a file put there. */
	if (lstat(path, &sb) == -1)
		fatal("%s", path);
	if (!S_ISSOCK(sb.st_mode))
		fatalx("%s exists and is not a socket; not removing it", path);
	if (unlink(path) == -1)
		fatal("unlink %s", path);
}

static int
control_listen(struct control *c)
{
	const struct config	*conf = c->pd->conf;
	struct sockaddr_un	 sun;
	struct group		*gr;
	mode_t			 old_umask;
	int			 fd;

	control_unlink_stale(conf->socket_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		fatal("socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
	    conf->socket_path) >= (int)sizeof(sun.sun_path))
		fatalx("%s: socket path too long", conf->socket_path);
	/* Created 0660 from the start: no window in which it is wider. */
	old_umask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", conf->socket_path);
	umask(old_umask);
	if (conf->socket_group != NULL) {
		if ((gr = getgrnam(conf->socket_group)) == NULL)
			fatalx("socket_group %s: no such group",
			    conf->socket_group);
		if (chown(conf->socket_path, (uid_t)-1, gr->gr_gid) == -1)
			fatal("chown %s", conf->socket_path);
	}
	if (chmod(conf->socket_path, 0660) == -1)
		fatal("chmod %s", conf->socket_path);
	if (listen(fd, 64) == -1)
		fatal("listen %s", conf->socket_path);
	return fd;
}

void
control_reconfigure(struct control *c)
{
	const struct config	*conf = c->pd->conf;

	evhttp_set_max_headers_size(c->http, CONTROL_MAX_HEADERS);
	evhttp_set_max_body_size(c->http, (ev_ssize_t)conf->max_body);
	evhttp_set_timeout(c->http, conf->request_timeout);
	control_sweep(c);
	if (c->nconns >= (size_t)conf->max_connections)
		control_listen_enable(c, 0);
}

struct control *
control_start(struct practiced *pd)
{
	struct control	*c;
	int		 fd;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("control");
	c->pd = pd;
	if ((c->path = strdup(pd->conf->socket_path)) == NULL)
		fatal("control");
	if ((c->http = evhttp_new(pd->base)) == NULL ||
	    (c->sweep = evtimer_new(pd->base, control_sweep_cb, c)) == NULL)
		fatalx("control: cannot set up the HTTP server");
	evhttp_set_allowed_methods(c->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_default_content_type(c->http, "application/json");
	evhttp_set_bevcb(c->http, control_new_bev, c);
	evhttp_set_gencb(c->http, control_request, c);
	control_reconfigure(c);
	fd = control_listen(c);
	if ((c->bound = evhttp_accept_socket_with_handle(c->http, fd)) == NULL)
		fatalx("control: cannot accept on %s", c->path);
	log_info("listening on %s", c->path);
	return c;
}

void
control_stop(struct control *c, void (*done_cb)(void *), void *arg)
{
	if (c->stopping)
		return;
	c->stopping = 1;
	c->done_cb = done_cb;
	c->done_arg = arg;
	c->stop_deadline = time(NULL) + CONTROL_STOP_GRACE;
	if (c->bound != NULL) {
		evhttp_del_accept_socket(c->http, c->bound);
		c->bound = NULL;
	}
	if (unlink(c->path) == -1 && errno != ENOENT)
		log_warn("unlink %s", c->path);
	control_sweep(c);
	control_sweep_arm(c);
}

void
control_free(struct control *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	if (c->bound != NULL && unlink(c->path) == -1 && errno != ENOENT)
		log_warn("unlink %s", c->path);
	evhttp_free(c->http);
	for (i = 0; i < c->nconns; i++)
		bufferevent_decref(c->conns[i]);
	free(c->conns);
	if (c->sweep != NULL)
		event_free(c->sweep);
	free(c->path);
	free(c);
}
