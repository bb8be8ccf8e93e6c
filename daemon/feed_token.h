/*
 * A feed's token: 256 bits from the kernel (getrandom(2)) written in
 * base64url, the only credential of a feed's address.  The database
 * keeps its SHA-256 alone, so a copy of the database opens no feed.
 */
#ifndef PRACTICED_FEED_TOKEN_H
#define PRACTICED_FEED_TOKEN_H

#include <stddef.h>

#define FEED_TOKEN_BYTES	32			/* 256 bits */
#define FEED_TOKEN_LEN		43			/* base64url, no '=' */
#define FEED_HASH_BYTES		32			/* SHA-256 */
#define FEED_KEY_LEN		16			/* hex of 8 bytes */

struct feed_secret {
	char		 token[FEED_TOKEN_LEN + 1];
	unsigned char	 hash[FEED_HASH_BYTES];
	char		 key[FEED_KEY_LEN + 1];	/* looked up by */
};

/* A fresh token and its hash; -1 if the kernel gives no randomness. */
int	 feed_token_new(struct feed_secret *);
/*
 * The token of a feed's path, "/feed/TOKEN.ics", hashed: -1 for any
 * other path.  Pure, for the unit tests.
 */
int	 feed_token_parse(const char *path, struct feed_secret *);
/* The hash and key of a token text; -1 if it is not one. */
int	 feed_token_hash(const char *token, struct feed_secret *);
/* Whether two hashes are equal, in time that does not depend on where
 * they differ. */
int	 feed_hash_equal(const unsigned char *, const unsigned char *);
/* SHA-256 of data as a quoted strong ETag, "\"hex\"" (67 bytes). */
#define FEED_ETAG_LEN	(2 + 2 * FEED_HASH_BYTES)
int	 feed_etag(const void *data, size_t len, char buf[FEED_ETAG_LEN + 1]);

#endif
