/* Logging: stderr in the foreground, syslog otherwise. */
#ifndef PRACTICED_LOG_H
#define PRACTICED_LOG_H

#include <stdarg.h>

/* verbose: 1 adds debug lines, -1 keeps only warnings (a fuzz run). */
void	log_init(int foreground, int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
