/*
 * libFuzzer target for the control API's request handling: the bytes
 * are a request line ("POST /v1/appointments?tz=UTC"), a line
 * "Content-Type: TYPE" if the body has one, and a body, run
 * through the same routing, parameter checks and handlers as the
 * socket's requests, by an admin, on a fresh in-memory practice (with
 * import 1 begun, for its parts).
 * Build and run: make fuzz; make check replays tests/fuzz/seeds-api.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "control.h"
#include "import.h"
#include "log.h"
#include "practice.h"

#define FUZZ_TYPE	"Content-Type: "

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct {
	const char	*word;
	enum api_method	 method;
} fuzz_methods[] = {
	{ "GET ", API_GET }, { "POST ", API_POST }, { "PUT ", API_PUT },
	{ "PATCH ", API_PATCH }, { "DELETE ", API_DELETE }
};

/* The method and the address from the first line; -1 if it has none. */
static int
fuzz_request_line(char *line, enum api_method *method, char **path,
    char **qs)
{
	size_t	 i, n;

	for (i = 0; i < sizeof(fuzz_methods) / sizeof(fuzz_methods[0]); i++) {
		n = strlen(fuzz_methods[i].word);
		if (strncmp(line, fuzz_methods[i].word, n) == 0)
			break;
	}
	if (i == sizeof(fuzz_methods) / sizeof(fuzz_methods[0]))
		return -1;
	*method = fuzz_methods[i].method;
	*path = line + n;
	if ((*qs = strchr(*path, '?')) != NULL)
		*(*qs)++ = '\0';
	return 0;
}

/* FUZZ_SHOW=1: each answer on stderr, to see what a seed reaches. */
static void
fuzz_show(const char *path, const struct api_req *req)
{
	char	*reply;

	reply = req->reply != NULL ? json_dumps(req->reply, JSON_COMPACT) :
	    NULL;
	fprintf(stderr, "%s %d %.200s\n", path, req->status,
	    reply != NULL ? reply : "");
	free(reply);
}

static void
fuzz_request(struct practice *p, enum api_method method, const char *path,
    const char *qs, const char *type, const char *body, size_t len)
{
	struct caller		 who = { 1000, 1, "fuzz", ROLE_ADMIN };
	struct evkeyvalq	 query;
	struct api_req		 req;

	memset(&req, 0, sizeof(req));
	TAILQ_INIT(&query);
	ctx_init(&req.ctx, &p->pd, PRACTICE_NOW);
	ctx_set_actor(&req.ctx, who.uid, who.user, role_name(who.role));
	req.method = method;
	req.who = &who;
	control_handle(&p->pd, &req, &query, path, qs, type, body, len);
	api_answer(&req);
	if (getenv("FUZZ_SHOW") != NULL)
		fuzz_show(path, &req);
	free(req.text);
	json_decref(req.reply);
	json_decref(req.body);
	evhttp_clear_headers(&query);
	ctx_clear(&req.ctx);
}

/*
 * Something for the requests to act on besides the fixture's people: a
 * session, a weekly series and a closure, booked as staff would.
 */
static const char *fuzz_setup[][2] = {
	{ "/v1/appointments", "{\"clinician\":\"ana\",\"client\":\"jordan\","
	    "\"service\":\"1\",\"at\":\"2030-01-08 10:00\"}" },
	{ "/v1/appointments", "{\"clinician\":\"sam\",\"client\":\"maria\","
	    "\"service\":\"1\",\"at\":\"2030-01-09 14:00\","
	    "\"repeat\":\"weekly\",\"count\":8}" },
	{ "/v1/closures", "{\"from\":\"2030-01-21\",\"reason\":\"holiday\"}" },
	{ "/v1/imports", "{}" },	/* import 1, uploading */
};

static void
fuzz_close(struct practice *p)
{
	imports_free(p->pd.imports);
	p->pd.imports = NULL;
	if (p->pd.base != NULL)
		event_base_free(p->pd.base);
	p->pd.base = NULL;
	practice_close(p);
}

static int
fuzz_practice(struct practice *p)
{
	size_t	 i;

	log_init(1, -1);	/* each input migrates a new database */
	if (practice_open(p) == -1)
		return -1;
	p->conf.practice_name = "Fuzz Practice";
	p->conf.database = ":memory:";
	p->conf.max_body = 64 * 1024;	/* an import's part_max */
	/* Imports: their slices are queued on a loop that never runs. */
	if ((p->pd.base = event_base_new()) == NULL ||
	    event_base_priority_init(p->pd.base, 3) == -1 ||
	    (p->pd.imports = imports_new(&p->pd)) == NULL)
		return -1;
	for (i = 0; i < sizeof(fuzz_setup) / sizeof(fuzz_setup[0]); i++)
		fuzz_request(p, API_POST, fuzz_setup[i][0], NULL, NULL,
		    fuzz_setup[i][1], strlen(fuzz_setup[i][1]));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct practice	 p;
	enum api_method	 method;
	char		*text, *nl, *path, *qs, *body, *type = NULL;
	size_t		 line;

	if ((text = malloc(len + 1)) == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	body = text + len;
	line = len;
	if ((nl = memchr(text, '\n', len)) != NULL) {
		*nl = '\0';
		body = nl + 1;
		line = (size_t)(nl - text);
	}
	/* A NUL in the request line: evhttp never hands such a line on. */
	if (strlen(text) != line ||
	    fuzz_request_line(text, &method, &path, &qs) == -1) {
		free(text);
		return 0;
	}
	/* A header's value ends at its line (evhttp's do too). */
	if (strncmp(body, FUZZ_TYPE, strlen(FUZZ_TYPE)) == 0 &&
	    (nl = memchr(body, '\n', len - (size_t)(body - text))) != NULL) {
		*nl = '\0';
		type = body + strlen(FUZZ_TYPE);
		body = nl + 1;
	}
	if (fuzz_practice(&p) == 0)
		fuzz_request(&p, method, path, qs, type, body,
		    len - (size_t)(body - text));
	fuzz_close(&p);
	free(text);
	return 0;
}
