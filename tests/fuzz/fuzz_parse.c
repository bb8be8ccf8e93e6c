/*
 * libFuzzer target for the parsers that read what staff type: dates,
 * date-times, working hours and the configuration file.
 * Build and run: make fuzz
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "hours.h"
#include "tz.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_config(const uint8_t *data, size_t len)
{
	char		 path[] = "/tmp/practiced-fuzz-XXXXXX", err[512];
	struct config	*conf;
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		return;
	if (write(fd, data, len) == (ssize_t)len &&
	    (conf = config_load(path, err, sizeof(err))) != NULL)
		config_free(conf);
	close(fd);
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct hours_range	 r[HOURS_MAX];
	struct tz_wall		 w;
	char			*s, err[256];
	size_t			 n;
	time_t			 t;

	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	s[len] = '\0';
	(void)hours_parse(s, r, &n, err, sizeof(err));
	(void)tz_parse_date(s, "America/New_York", 1796155200, &w, err,
	    sizeof(err));
	(void)tz_parse_datetime(s, "Australia/Lord_Howe", 1796155200, &t, err,
	    sizeof(err));
	free(s);
	if (len > 0 && data[0] == '[')
		fuzz_config(data, len);
	return 0;
}
