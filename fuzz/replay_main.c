/*
 * replay_main.c -- a main() for the fuzz harnesses without libFuzzer: runs
 * LLVMFuzzerTestOneInput once per file (or per file inside each directory) given on the command
 * line.  Used to replay the corpus under gcc, valgrind or any sanitizer.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    long len;
    uint8_t *buf;
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (uint8_t *)malloc(len > 0 ? (size_t)len : 1);
    if (len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) { perror(path); exit(2); }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    free(buf);
    return 1;
}

int main(int argc, char **argv)
{
    long count = 0;
    int i;
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); return 2; }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            char path[4096];
            while (d && (e = readdir(d)) != NULL) {
                if (e->d_name[0] == '.') continue;
                snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
                count += run_file(path);
            }
            if (d) closedir(d);
        } else {
            count += run_file(argv[i]);
        }
    }
    printf("replayed %ld inputs\n", count);
    return 0;
}
