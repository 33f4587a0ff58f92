/*
 * progress.h - a progress line on stderr for commands that read big files.
 */
#ifndef ALD_SRC_PROGRESS_H
#define ALD_SRC_PROGRESS_H

#include <sys/types.h>

/* Redraws the line: a bar when the size is known (plain files), lines and
 * megabytes read otherwise (gzip/zstd, stdin). */
void progress_show(const char *path, unsigned long long done, off_t size,
                   unsigned long long lines);
/* Size of a plain (not gzip or zstd) regular file, else 0. */
off_t progress_plain_size(const char *path);

#endif
