/*
 * progress.c - the progress line long commands (ais detect, match) draw on
 * a terminal while they read big files.
 */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Progress on a terminal: a bar for plain files (bytes read of the size),
 * lines and bytes decompressed for gzip/zstd and stdin, whose size on disk
 * says nothing about what is left. */
void progress_show(const char *path, unsigned long long done, off_t size,
                     unsigned long long lines)
{
    static const char bar[] = "##############################";
    const int w = (int)sizeof bar - 1;
    if (size > 0 && done <= (unsigned long long)size) {
        int fill = (int)((double)w * (double)done / (double)size);
        fprintf(stderr, "\r%.40s [%.*s%*s] %3.0f%%", path, fill, bar, w - fill, "",
                100.0 * (double)done / (double)size);
    } else {
        fprintf(stderr, "\r%.40s: %llu lines, %llu MB", path, lines, done >> 20);
    }
}

/* Size of a plain (not gzip or zstd) regular file, else 0. */
off_t progress_plain_size(const char *path)
{
    struct stat sb;
    unsigned char m[4] = {0};
    if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return 0;
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(m, 1, sizeof m, f) : 0;
    if (f)
        fclose(f);
    if ((n >= 2 && m[0] == 0x1f && m[1] == 0x8b) ||
        (n == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd))
        return 0;
    return sb.st_size;
}

