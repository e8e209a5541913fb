/* replay.c: run LLVMFuzzerTestOneInput over every file of the corpus folders
 * (or files) named on the command line, without libFuzzer, so the corpus is a
 * regression suite on every machine. Exits 1 if a folder is missing or empty:
 * a replay that ran nothing must not pass. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE   *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long    len;
    int     ret = 1;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0)
        goto out;
    if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL)
        goto out;
    if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len)
        goto out;
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    ret = 0;
out:
    if (ret != 0)
        fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    if (f != NULL)
        fclose(f);
    return ret;
}

int
main(int argc, char **argv)
{
    size_t count = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: missing %s\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (replay_file(argv[i]) != 0)
                return 1;
            count++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        if (d == NULL)
            return 1;
        while ((e = readdir(d)) != NULL) {
            char path[4096];
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (replay_file(path) != 0) {
                closedir(d);
                return 1;
            }
            count++;
        }
        closedir(d);
    }
    printf("replayed %zu inputs\n", count);
    return count > 0 ? 0 : 1;
}
