/*
 * JSON for what the domain answers.  Building output is the domain's
 * business; reading requests and writing HTTP is not.
 */
#include <ctype.h>
#include <string.h>

#include "ctx.h"
#include "db.h"
#include "out.h"
#include "practiced.h"
#include "tz.h"

json_t *
out_row_by_id(struct ctx *ctx, const char *sql, long long id, out_row_fn row)
{
	sqlite3_stmt	*stmt;
	json_t		*obj = NULL;

	if ((stmt = db_stmt(ctx->pd->db, sql)) == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		obj = row(ctx, stmt);
	sqlite3_reset(stmt);
	return obj;
}

json_t *
out_rows(struct ctx *ctx, sqlite3_stmt *stmt, out_row_fn row)
{
	json_t	*list, *obj;
	int	 rc;

	if ((list = json_array()) == NULL) {
		sqlite3_reset(stmt);
		return NULL;
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if ((obj = row(ctx, stmt)) == NULL ||
		    json_array_append_new(list, obj) == -1)
			break;
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return list;
}

json_t *
out_instant(time_t t)
{
	char	 buf[TZ_BUFLEN];

	tz_format_utc(t, buf);
	return json_string(buf);
}

json_t *
out_local(const struct ctx *ctx, time_t t)
{
	char	 buf[TZ_BUFLEN];

	tz_format_local(ctx->tz, t, buf);
	return json_string(buf);
}

json_t *
out_initials(const char *name)
{
	char		 buf[16];
	size_t		 n = 0, len;
	const char	*p;
	int		 at_word = 1;

	for (p = name; *p != '\0' && n < 12; p++) {
		if (isspace((unsigned char)*p) || *p == '-') {
			at_word = 1;
			continue;
		}
		if (at_word) {
			/* The whole UTF-8 sequence of the letter, or none. */
			for (len = 1; ((unsigned char)p[len] & 0xc0) == 0x80;
			    len++)
				;
			if (n + len > 12)
				break;
			buf[n++] = (char)toupper((unsigned char)*p);
			memcpy(buf + n, p + 1, len - 1);
			n += len - 1;
			p += len - 1;
		}
		at_word = 0;
	}
	buf[n] = '\0';
	return json_string(buf);
}
