/*
 * A fuzz target as a plain program: each file named, or each file in a
 * folder named, is given to LLVMFuzzerTestOneInput once.  make check
 * builds the targets so with the sanitizers and replays their seeds, so
 * that a crash found by make fuzz and kept as a seed stays fixed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE	*f;
	char	*data;
	long	 len;
	int	 rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) != NULL) {
		if (fread(data, 1, (size_t)len, f) == (size_t)len) {
			LLVMFuzzerTestOneInput((const uint8_t *)data,
			    (size_t)len);
			rc = 0;
		} else
			fprintf(stderr, "%s: short read\n", path);
		free(data);
	} else
		perror(path);
	fclose(f);
	return rc;
}

static int
replay_dir(const char *dir, int *passed)
{
	struct dirent	**names;
	char		  path[4096];
	int		  i, n, failed = 0;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		perror(dir);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name);
			if (replay_file(path) == 0)
				(*passed)++;
			else
				failed++;
		}
		free(names[i]);
	}
	free(names);
	return failed;
}

int
main(int argc, char **argv)
{
	struct stat	 sb;
	int		 i, passed = 0, failed = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == -1) {
			perror(argv[i]);
			failed++;
		} else if (S_ISDIR(sb.st_mode))
			failed += replay_dir(argv[i], &passed);
		else if (replay_file(argv[i]) == 0)
			passed++;
		else
			failed++;
	}
	/* A crash never gets here: the sanitizer's report ends the run. */
	printf("%s: %d passed, %d failed\n", argv[0], passed, failed);
	return failed == 0 && passed > 0 ? 0 : 1;
}
