/*
 * libical's own parse of an iCalendar file, for bench_import.py: the
 * floor of any importer built on libical.  Prints the seconds it took.
 *
 *	build/bench_libical_parse FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libical/ical.h>

int
main(int argc, char **argv)
{
	struct timespec	 t0, t1;
	icalcomponent	*c;
	FILE		*f;
	char		*buf;
	long		 len;

	if (argc != 2 || (f = fopen(argv[1], "rb")) == NULL ||
	    fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (buf = malloc(len + 1)) == NULL ||
	    fread(buf, 1, len, f) != (size_t)len) {
		fprintf(stderr, "usage: bench_libical_parse FILE (readable)\n");
		return 1;
	}
	fclose(f);
	buf[len] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	c = icalparser_parse_string(buf);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (c == NULL) {
		fprintf(stderr, "bench_libical_parse: %s: not parsed\n", argv[1]);
		return 1;
	}
	icalcomponent_free(c);
	free(buf);
	printf("%.3f\n", (t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
