/*
 * testutil.h - helpers shared by the cmocka tests: locating real data,
 * reading files, decoding a whole file into JSON lines.
 */
#ifndef ALD_TESTUTIL_H
#define ALD_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

/* Path of `rel` under ../shared/data (ALD_SHARED_DATA), or NULL when that
 * file is not there; callers then skip() with a message. Static buffer. */
const char *tu_shared(const char *rel);
/* Path of `rel` under tests/data (ALD_TEST_DATA). Static buffer. */
const char *tu_testdata(const char *rel);
/* A new empty directory under /tmp (malloc'd path; the test fails if it
 * cannot be made), and its removal with everything in it (frees dir). */
char *tu_tmpdir(void);
void tu_rmtree(char *dir);
/* Whole file, NUL-terminated, malloc'd; NULL if unreadable. */
char *tu_read_file(const char *path, size_t *len);
/* Skips the current test with a reason when the shared data is absent. */
#define TU_NEED_SHARED(var, rel)                                              \
    const char *var = tu_shared(rel);                                         \
    if (!var) {                                                               \
        print_message("skipped: %s not found (../shared/data absent)\n", rel); \
        skip();                                                               \
    }

/* Decodes every line of `text` with a fresh decoder and returns the JSON
 * lines (each ending in '\n'), malloc'd. scaled/device as ais_json(). */
char *tu_decode_json(const char *text, size_t len, bool scaled, const char *device,
                     bool split24);

#endif
