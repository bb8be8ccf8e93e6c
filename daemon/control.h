/* The control socket: an evhttp server on AF_UNIX, with peer credentials. */
#ifndef PRACTICED_CONTROL_H
#define PRACTICED_CONTROL_H

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

#endif
