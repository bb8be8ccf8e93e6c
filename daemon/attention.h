/*
 * What a booked session ahead needs from the front desk: hours, a
 * closure or an archive that changed after it was booked.
 */
#ifndef PRACTICED_ATTENTION_H
#define PRACTICED_ATTENTION_H

#include <time.h>

#include <jansson.h>

struct ctx;

/* A session as its row has it, and what SQL already knew of it. */
struct attention_row {
	long long	 clinician_id;
	const char	*zone;		/* the clinician's, now */
	const char	*state;
	time_t		 start, end;
	int		 clinician_active;
	int		 client_active;
	int		 has_room;
	int		 room_active;
	int		 on_closure;
	int		 on_busy;
	int		 imported_clash;	/* import_map's clash */
};

/*
 * Between begin and end, clinicians' hours are read once each: an
 * answer of many sessions calls begin before its rows and end after.
 */
void	 attention_begin(void);
void	 attention_end(void);
/* The codes (PROTO_ATTN_*) the session needs, [] when none; NULL on a
 * database error. */
json_t	*attention_codes(struct ctx *, const struct attention_row *);

#endif
