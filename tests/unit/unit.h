/* A small test harness: CHECK records a failure and goes on. */
#ifndef PRACTICED_UNIT_H
#define PRACTICED_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_passed, unit_failed;

#define CHECK(cond) do {						\
	if (cond)							\
		unit_passed++;						\
	else {								\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

#define CHECK_STR(a, b) do {						\
	const char *a_ = (a), *b_ = (b);				\
	if (a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0)		\
		unit_passed++;						\
	else {								\
		unit_failed++;						\
		fprintf(stderr, "%s:%d: FAILED: \"%s\" != \"%s\"\n",	\
		    __FILE__, __LINE__, a_ ? a_ : "(null)",		\
		    b_ ? b_ : "(null)");				\
	}								\
} while (0)

void	test_config(void);
void	test_config_notify(void);
void	test_config_backup(void);

struct config;
/* text loaded as a configuration file; NULL with err written. */
struct config *unit_config_load(const char *text, char *err, size_t len);
/* text is refused, at line, with an error containing words. */
int	unit_config_refused_at(const char *text, int line, const char *words);
void	test_tz(void);
void	test_hours(void);
void	test_recur(void);
void	test_booking(void);
void	test_lookup(void);
void	test_series_domain(void);
void	test_resource(void);
void	test_api(void);
void	test_db(void);
void	test_template(void);
void	test_mail(void);
/* A mail's lines all end CRLF, none over RFC 5322's 78 characters. */
int	unit_mail_well_formed(const char *);
void	test_remind(void);
void	test_remind_query(void);
void	test_remind_cost(void);
void	test_send(void);
void	test_paging(void);
void	test_export(void);
void	test_ical_read(void);
void	test_feed(void);
void	test_invite(void);
void	test_busy(void);
void	test_import(void);

void	test_privacy(void);

#endif
