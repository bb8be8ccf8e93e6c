/* The control socket: an evhttp server on AF_UNIX, with peer credentials. */
#ifndef PRACTICED_CONTROL_H
#define PRACTICED_CONTROL_H

#include <stddef.h>

struct api_req;
struct evkeyvalq;
struct practiced;
struct control;

/* Fatal on failure: only called at start-up. */
struct control	*control_start(struct practiced *);
/* Apply limits from a reloaded configuration. */
void		 control_reconfigure(struct control *);
/* Stop accepting; done_cb runs once open connections have finished. */
void		 control_stop(struct control *, void (*done_cb)(void *),
		    void *arg);
void		 control_free(struct control *);

/*
 * One request from its parts, as evhttp read them or as a fuzz target
 * makes them: req's method, caller and context are set; the answer is
 * left in req (api_answer) and the query's pairs in query.  qs may be
 * NULL; body is len bytes, of the Content-Type type (NULL if none).
 */
void		 control_handle(struct practiced *, struct api_req *,
		    struct evkeyvalq *query, const char *path, const char *qs,
		    const char *type, const char *body, size_t len);

#endif
