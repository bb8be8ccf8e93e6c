/* practiced.conf's [backup], and the backup folder and names it gives. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "config.h"
#include "ctx.h"
#include "practiced.h"

#include "unit.h"

static const struct {
	const char	*text;
	int		 line;		/* 0: loads */
	const char	*words;		/* loads: the folder; else the error */
	int		 hour, keep;
} cases[] = {
	{ "[practice]\nname = x\n", 0, "/var/db/backups", -1, 7 },
	{ "[backup]\nhour = 3\nkeep = 14\n", 0, "/var/db/backups", 3, 14 },
	{ "[backup]\nhour = 0\nhour = none\n", 0, "/var/db/backups", -1, 7 },
	{ "[backup]\ndir = /srv/b/\nhour = 23\n", 0, "/srv/b", 23, 7 },
	{ "[backup]\ndir = saved\n", 0, "/tmp/saved", -1, 7 },
	{ "[backup]\nhour = 24\n", 2, "out of range", 0, 0 },
	{ "[backup]\nhour = 3am\n", 2, "not a number", 0, 0 },
	{ "[backup]\nkeep = 0\n", 2, "out of range", 0, 0 },
	{ "[backup]\nkeep = 367\n", 2, "out of range", 0, 0 },
	{ "[backup]\n\nrotate = 3\n", 3, "unknown key", 0, 0 },
	{ "[backup]\ndir =\n", 2, "empty", 0, 0 },
};

static const struct {
	const char	*name;
	const char	*base;		/* NULL: refused */
} names[] = {
	{ "a.db", "a.db" },
	{ "practice-2026_12.db", "practice-2026_12.db" },
	{ "/var/db/backups/x.db", "x.db" },
	{ "/var/db/backups//x.db", "x.db" },
	{ "/var/db/x.db", NULL },
	{ "/var/db/backups/sub/x.db", NULL },
	{ "backups/x.db", NULL },
	{ "../x.db", NULL },
	{ ".x.db", NULL },
	{ "", NULL },
	{ "a b.db", NULL },
	{ "a;b", NULL },
};

static void
test_names(struct config *conf)
{
	struct practiced	 pd;
	struct ctx		 ctx;
	char			 dir[PATH_MAX], base[BACKUP_NAME_MAX + 1];
	char			 longname[BACKUP_NAME_MAX + 2];
	size_t			 i;

	memset(&pd, 0, sizeof(pd));
	pd.conf = conf;
	CHECK(backup_dir(&pd, dir) == 0);
	CHECK_STR(dir, "/var/db/backups");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ctx_init_internal(&ctx, &pd, 0, "test");
		if (names[i].base != NULL) {
			CHECK(backup_name(&ctx, dir, names[i].name, base) == 0);
			CHECK_STR(base, names[i].base);
		} else
			CHECK(backup_name(&ctx, dir, names[i].name, base) ==
			    -1 && ctx.err == PROTO_EBADREQUEST);
		ctx_clear(&ctx);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ctx_init_internal(&ctx, &pd, 0, "test");
	CHECK(backup_name(&ctx, dir, longname, base) == -1);
	ctx_clear(&ctx);
	longname[BACKUP_NAME_MAX] = '\0';
	ctx_init_internal(&ctx, &pd, 0, "test");
	CHECK(backup_name(&ctx, dir, longname, base) == 0);
	ctx_clear(&ctx);
}

void
test_config_backup(void)
{
	struct practiced	 pd;
	struct config		*conf;
	char			 err[512], text[256], dir[PATH_MAX];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[daemon]\ndatabase = /var/db/p.db\n"
		    "%s", cases[i].text);
		if (cases[i].line != 0) {
			CHECK(unit_config_refused_at(text, cases[i].line + 2,
			    cases[i].words));
			continue;
		}
		if ((conf = unit_config_load(text, err, sizeof(err))) == NULL) {
			fprintf(stderr, "case %zu: %s\n", i, err);
			CHECK(!"loads");
			continue;
		}
		memset(&pd, 0, sizeof(pd));
		pd.conf = conf;
		CHECK(backup_dir(&pd, dir) == 0);
		CHECK_STR(dir, cases[i].words);
		CHECK(conf->backup.hour == cases[i].hour);
		CHECK(conf->backup.keep == cases[i].keep);
		if (i == 0)
			test_names(conf);
		config_free(conf);
	}
}
