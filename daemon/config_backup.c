/*
 * practiced.conf's [backup]: the folder backups go to (by default
 * "backups" beside the database), and the daily one: its hour in the
 * practice's zone (none: no daily backup) and how many are kept.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_parse.h"

static int
set_dir(struct config_ctx *ctx, const char *v)
{
	if (config_set_path(ctx, &ctx->conf->backup.dir, v) == -1)
		return -1;
	if (strlen(ctx->conf->backup.dir) > CONFIG_BACKUP_DIR_MAX)
		return config_fail(ctx, "dir: at most %d bytes",
		    CONFIG_BACKUP_DIR_MAX);
	return 0;
}

static int
set_hour(struct config_ctx *ctx, const char *v)
{
	if (strcmp(v, "none") == 0) {
		ctx->conf->backup.hour = -1;
		return 0;
	}
	return config_set_int(ctx, &ctx->conf->backup.hour, v, 0, 23);
}

static int
set_keep(struct config_ctx *ctx, const char *v)
{
	return config_set_int(ctx, &ctx->conf->backup.keep, v, 1, 366);
}

const struct config_key config_backup_keys[] = {
	{ "backup", "dir",	set_dir },
	{ "backup", "hour",	set_hour },
	{ "backup", "keep",	set_keep },
	{ NULL, NULL, NULL }
};

void
config_backup_defaults(struct config *conf)
{
	conf->backup.hour = -1;
	conf->backup.keep = 7;
}

void
config_backup_free(struct config *conf)
{
	free(conf->backup.dir);
}
