/*
 * Calendar feeds' pure logic: tokens (made, spelt, parsed from a path,
 * hashed), the ETag's SHA-256, and the [feeds] configuration keys.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "feed_token.h"
#include "unit.h"

static void
test_token_new(void)
{
	struct feed_secret	 a, b, again;

	CHECK(feed_token_new(&a) == 0);
	CHECK(feed_token_new(&b) == 0);
	CHECK(strlen(a.token) == FEED_TOKEN_LEN);
	CHECK(strspn(a.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuv"
	    "wxyz0123456789-_") == FEED_TOKEN_LEN);
	CHECK(strcmp(a.token, b.token) != 0);
	CHECK(!feed_hash_equal(a.hash, b.hash));
	/* The hash is of the token's text, found again from it. */
	CHECK(feed_token_hash(a.token, &again) == 0);
	CHECK(feed_hash_equal(a.hash, again.hash));
	CHECK_STR(a.key, again.key);
	CHECK(strlen(a.key) == FEED_KEY_LEN);
}

static void
test_token_parse(void)
{
	static const char	*tok =
	    "TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk";
	static const char	*bad[] = {
		NULL, "", "/feed/.ics", "/feed/short.ics",
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk",
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk.ICS",
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk.ics/",
		"/feeds/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk.ics",
		"feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHk.ics",
		"/feed/TY68hAuAhxFsks+UFkQs8TRv0Cf6Kj8yJYHIMwDglHk.ics",
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglH=.ics",
		/* The last letter carries two zero bits: "l" does not. */
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHl.ics",
		"/feed/TY68hAuAhxFsks-UFkQs8TRv0Cf6Kj8yJYHIMwDglHkk.ics",
	};
	struct feed_secret	 s, t;
	char			 path[128];
	size_t			 i;

	snprintf(path, sizeof(path), "/feed/%s.ics", tok);
	CHECK(feed_token_parse(path, &s) == 0);
	CHECK_STR(s.token, tok);
	CHECK(feed_token_hash(tok, &t) == 0 && feed_hash_equal(s.hash, t.hash));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(feed_token_parse(bad[i], &s) == -1);
}

static void
test_etag(void)
{
	char	 etag[FEED_ETAG_LEN + 1];

	/* FIPS 180-2's example: SHA-256("abc"). */
	CHECK(feed_etag("abc", 3, etag) == 0);
	CHECK_STR(etag, "\"ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad\"");
}

static void
test_feeds_config(void)
{
	struct config	*conf;
	char		 err[256];

	conf = unit_config_load("[practice]\nname = X\n", err, sizeof(err));
	CHECK(conf != NULL && conf->feeds.listen == NULL &&
	    conf->feeds.url == NULL);
	config_free(conf);
	conf = unit_config_load("[feeds]\nlisten = [::1]:8470\n"
	    "url = https://cal.example.org/x//\n", err, sizeof(err));
	CHECK(conf != NULL);
	if (conf != NULL) {
		CHECK_STR(conf->feeds.host, "::1");
		CHECK_STR(conf->feeds.port, "8470");
		CHECK_STR(conf->feeds.url, "https://cal.example.org/x");
	}
	config_free(conf);
	conf = unit_config_load("[feeds]\nlisten = 0.0.0.0:80\n", err,
	    sizeof(err));
	CHECK(conf != NULL && strcmp(conf->feeds.host, "0.0.0.0") == 0);
	config_free(conf);
	CHECK(unit_config_refused_at("[feeds]\nlisten = localhost:8470\n", 2,
	    "numeric address"));
	CHECK(unit_config_refused_at("[feeds]\n\nlisten = 127.0.0.1\n", 3,
	    "ADDRESS:PORT"));
	CHECK(unit_config_refused_at("[feeds]\nlisten = 127.0.0.1:0\n", 2,
	    "port"));
	CHECK(unit_config_refused_at("[feeds]\nlisten = 127.0.0.1:65536\n",
	    2, "port"));
	CHECK(unit_config_refused_at("[feeds]\nlisten = ::1:8470\n", 2,
	    "numeric"));
	CHECK(unit_config_refused_at("[feeds]\nurl = ftp://x.org\n", 2,
	    "http"));
	CHECK(unit_config_refused_at("[feeds]\nurl = https://x.org/?a=1\n", 2,
	    "query"));
	CHECK(unit_config_refused_at("[feeds]\nport = 1\n", 2,
	    "unknown key"));
}

void
test_feed(void)
{
	test_token_new();
	test_token_parse();
	test_etag();
	test_feeds_config();
}
