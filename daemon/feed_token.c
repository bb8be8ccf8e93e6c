/*
 * Feed tokens: made from the kernel's randomness, parsed from a path,
 * hashed with SHA-256 (libcrypto, which libcurl already brings into the
 * process), and compared in constant time.
 */
#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "feed_token.h"

#define FEED_PATH_PREFIX	"/feed/"
#define FEED_PATH_SUFFIX	".ics"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
feed_sha256(const void *data, size_t len, unsigned char out[FEED_HASH_BYTES])
{
	unsigned int	 n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != FEED_HASH_BYTES)
		return -1;
	return 0;
}

static void
feed_hex(const unsigned char *b, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* 32 bytes as 43 base64url letters: 10 groups of 3, then 2 bytes. */
static void
feed_b64url(const unsigned char *b, char *out)
{
	size_t		 i, o = 0;
	unsigned long	 v;

	for (i = 0; i + 3 <= FEED_TOKEN_BYTES; i += 3) {
		v = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8 |
		    b[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	v = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8;
	out[o++] = b64url[(v >> 18) & 63];
	out[o++] = b64url[(v >> 12) & 63];
	out[o++] = b64url[(v >> 6) & 63];
	out[o] = '\0';
}

int
feed_token_hash(const char *token, struct feed_secret *s)
{
	if (strlen(token) != FEED_TOKEN_LEN ||
	    strspn(token, b64url) != FEED_TOKEN_LEN)
		return -1;
	/* The last letter holds 4 bits and two zeros: one spelling only. */
	if ((strchr(b64url, token[FEED_TOKEN_LEN - 1]) - b64url) % 4 != 0)
		return -1;
	if (s->token != token)
		memcpy(s->token, token, FEED_TOKEN_LEN + 1);
	if (feed_sha256(s->token, FEED_TOKEN_LEN, s->hash) == -1)
		return -1;
	feed_hex(s->hash, FEED_KEY_LEN / 2, s->key);
	return 0;
}

int
feed_token_new(struct feed_secret *s)
{
	unsigned char	 raw[FEED_TOKEN_BYTES];
	ssize_t		 n;

	memset(s, 0, sizeof(*s));
	/* Blocks only before the kernel's pool is first seeded, at boot. */
	do
		n = getrandom(raw, sizeof(raw), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(raw))
		return -1;
	feed_b64url(raw, s->token);
	OPENSSL_cleanse(raw, sizeof(raw));
	return feed_token_hash(s->token, s);
}

int
feed_token_parse(const char *path, struct feed_secret *s)
{
	size_t	 plen = strlen(FEED_PATH_PREFIX);
	size_t	 slen = strlen(FEED_PATH_SUFFIX);
	char	 token[FEED_TOKEN_LEN + 1];

	memset(s, 0, sizeof(*s));
	if (path == NULL || strlen(path) != plen + FEED_TOKEN_LEN + slen ||
	    strncmp(path, FEED_PATH_PREFIX, plen) != 0 ||
	    strcmp(path + plen + FEED_TOKEN_LEN, FEED_PATH_SUFFIX) != 0)
		return -1;
	memcpy(token, path + plen, FEED_TOKEN_LEN);
	token[FEED_TOKEN_LEN] = '\0';
	return feed_token_hash(token, s);
}

int
feed_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, FEED_HASH_BYTES) == 0;
}

int
feed_etag(const void *data, size_t len, char buf[FEED_ETAG_LEN + 1])
{
	unsigned char	 h[FEED_HASH_BYTES];

	if (feed_sha256(data, len, h) == -1)
		return -1;
	buf[0] = '"';
	feed_hex(h, FEED_HASH_BYTES, buf + 1);
	buf[FEED_ETAG_LEN - 1] = '"';
	buf[FEED_ETAG_LEN] = '\0';
	return 0;
}
