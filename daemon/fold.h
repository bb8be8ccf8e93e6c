/*
 * Names folded for searching: lower case, Latin accents taken off, words
 * split at blanks, hyphens and apostrophes, so "ñúñez" finds
 * "José Ñúñez-Øster" and "jane" finds "Mary-Jane Smith-Jones".
 */
#ifndef PRACTICED_FOLD_H
#define PRACTICED_FOLD_H

#include <sqlite3.h>
#include <stddef.h>

/* The longest folding of n bytes of UTF-8, with its NUL. */
#define FOLD_LEN(n)	((n) + 2)

/*
 * s folded as " word word" (each word after one blank; none at the end)
 * into out, which holds FOLD_LEN(strlen(s)) bytes; returns its length.
 * Text outside the Latin, Greek and Cyrillic letters is kept as it is.
 */
size_t	 fold_name(const char *s, char *out);
/* The SQL function fold_name(text) on this connection; -1 on failure. */
int	 fold_register(sqlite3 *);

#endif
