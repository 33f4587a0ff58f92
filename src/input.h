/*
 * input.h - line reader over files or stdin, plain, gzip or zstd (detected
 * from the first bytes, whatever the file name says).
 */
#ifndef ALD_SRC_INPUT_H
#define ALD_SRC_INPUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct line_reader line_reader;

/* Opens `path` ("-" or NULL for stdin). Returns NULL and fills errbuf on
 * failure (message says what and why). */
line_reader *lr_open(const char *path, char *errbuf, size_t errlen);
/* Next line without its '\n' (and without a '\r' before it). Returns 1 with
* line and len set, 0 at end of input, -1 on a read or decompression error
 * (lr_error() says what). Lines longer than the reader's limit are returned
 * cut to the limit with *truncated set; the rest of such a line is skipped. */
int lr_next(line_reader *lr, const char **line, size_t *len, bool *truncated);
/* The next block of whole lines (up to ~4 MB, ending with '\n' except the
 * last line of the input): 1 with block and len set, 0 at end of input, -1
 * on a read or decompression error. A line longer than the buffer is
 * handed out as one empty line ("\n") with *overlong set, so line numbers
 * stay right. For scanners that want many lines at once (alidade match). */
int lr_block(line_reader *lr, const char **block, size_t *len, bool *overlong);
const char *lr_error(const line_reader *lr);
/* Reads and decompresses ahead in a thread of its own from now on (for a
 * caller that is itself the bottleneck); the lines are the same. For files
 * read to their end once, not followed ones. False (and reads stay in the
 * caller's thread) when memory or a thread is refused. */
bool lr_readahead(line_reader *lr);
/* Bytes of (decompressed) input consumed so far. */
unsigned long long lr_bytes(const line_reader *lr);
void lr_close(line_reader *lr);

#define LR_MAX_LINE 65536

/* Operator files (zones, geography): at most this much once decompressed. */
#define INPUT_SMALL_MAX ((size_t)256 << 20)
/* STIX files to validate or import. */
#define INPUT_STIX_MAX ((size_t)1 << 30)

/* The whole of `path` ("-" or NULL: stdin), plain, gzip or zstd by its
 * first bytes, decompressed, NUL-terminated, malloc'd; *len excludes the NUL.
 * NULL with the reason in err (cannot open, corrupt or truncated data,
 * larger than `max` bytes). */
char *input_read_all(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
