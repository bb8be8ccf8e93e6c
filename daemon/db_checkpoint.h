/* The write-ahead log's checkpoints on a thread of their own. */
#ifndef PRACTICED_DB_CHECKPOINT_H
#define PRACTICED_DB_CHECKPOINT_H

#include <stddef.h>

struct checkpointer;

/* A thread with its own connection to the database at path; NULL with
 * err on failure. */
struct checkpointer	*checkpointer_start(const char *path, char *err,
			    size_t errlen);
/* A passive checkpoint soon, on the thread; never waits. */
void			 checkpointer_kick(struct checkpointer *);
/* Waits for a checkpoint running; none starts until released. */
void			 checkpointer_hold(struct checkpointer *);
void			 checkpointer_release(struct checkpointer *);
/* Waits for the thread and closes its connection. */
void			 checkpointer_stop(struct checkpointer *);

#endif
