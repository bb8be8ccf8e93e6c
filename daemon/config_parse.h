/*
 * The parser's side of practiced.conf, shared by the files that know a
 * section's keys (config.c, config_notify.c): where the parser is, and
 * the setters every key is built from.
 */
#ifndef PRACTICED_CONFIG_PARSE_H
#define PRACTICED_CONFIG_PARSE_H

#include <stddef.h>

struct config;

struct config_ctx {
	struct config	*conf;
	const char	*file;
	int		 line;
	char		*err;
	size_t		 errlen;
	char		 section[32];
	char		*dir;		/* for relative paths */
};

typedef int (*config_setter)(struct config_ctx *, const char *);

struct config_key {
	const char	*section;
	const char	*key;
	config_setter	 set;
};

/* A table of keys ends with a NULL section. */
extern const struct config_key config_notify_keys[];
extern const struct config_key config_feeds_keys[];
extern const struct config_key config_backup_keys[];
extern const struct config_key config_agenda_keys[];

/* Each returns -1 with "FILE:LINE: why" written. */
int	 config_fail(struct config_ctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 config_set_string(struct config_ctx *, char **, const char *);
/* Relative to the configuration file's folder. */
int	 config_set_path(struct config_ctx *, char **, const char *);
int	 config_set_int(struct config_ctx *, int *, const char *, long min,
	    long max);
int	 config_set_bool(struct config_ctx *, int *, const char *);

/* config_notify.c: its defaults, the checks once the file is read (and
 * the templates it names loaded), and its part of config_free. */
void	 config_notify_defaults(struct config *);
int	 config_notify_finish(struct config_ctx *);
void	 config_notify_free(struct config *);
/* config_feeds.c: its part of config_free. */
void	 config_feeds_free(struct config *);
/* config_backup.c: its defaults and its part of config_free. */
void	 config_backup_defaults(struct config *);
void	 config_backup_free(struct config *);

#endif
