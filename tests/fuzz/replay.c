/*
 * replay.c — runs a fuzz target over its committed corpus without libFuzzer,
 * so that `make check` and `make sanitize` (ASan + UBSan) replay every seed
 * and every input the fuzzers kept, with the compiler of the build.
 *
 * usage: replay_NAME [DIR]   (DIR defaults to tests/fuzz/corpus/NAME)
 * Prints one "ok - ..." line; a crash or sanitizer report ends the process,
 * and the last "# input" line on stderr names the file.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : FUZZ_CORPUS;
	struct dirent **names;
	size_t inputs = 0, bytes = 0;
	int n;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	n = scandir(dir, &names, NULL, by_name);
	if (n < 0) {
		printf("not ok - fuzz corpus %s: cannot read it\n", dir);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat sb;
		unsigned char *buf;
		FILE *f;

		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name) >= sizeof path ||
		    stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(names[i]);
			continue;
		}
		buf = malloc((size_t)sb.st_size + 1);
		f = fopen(path, "rb");
		if (buf == NULL || f == NULL || fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
			printf("not ok - fuzz corpus %s: cannot read %s\n", dir, path);
			return 1;
		}
		fclose(f);
		fprintf(stderr, "# input %s\n", path);
		LLVMFuzzerTestOneInput(buf, (size_t)sb.st_size);
		free(buf);
		free(names[i]);
		inputs++;
		bytes += (size_t)sb.st_size;
	}
	free(names);
	if (inputs == 0) {
		printf("not ok - fuzz corpus %s is empty\n", dir);
		return 1;
	}
	printf("ok - fuzz corpus %s: %zu inputs (%zu bytes) replayed\n", dir, inputs, bytes);
	return 0;
}
