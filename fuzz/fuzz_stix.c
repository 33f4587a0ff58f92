/*
 * fuzz_stix.c - libFuzzer target for lib/stix: stix_split on the input, then
 * stix_check on every object it delivers, and stix_time_parse on its start.
 *
 * Oracles (abort on failure):
 *  - split: spans are inside the input, in order, not overlapping, start
 *    with '{' and end with '}', indexes count from 0; a text it accepts is
 *    JSON for jansson too, span by span (except numbers jansson cannot hold
 *    and "\u0000" in member names, which jansson does not support),
 *    and a text it rejects gets a "line L, column C: ..." message; a
 *    callback's stop value is returned as is;
 *  - check: the count does not depend on `max`, problems and info strings
 *    are NUL-terminated, info stays within its bounds;
 *  - time: an accepted timestamp formats (years 0000-9999) and parses back
 *    to the same microseconds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/stix.h"

#include "fuzz_abort.h"

struct fz_split {
    const char *base;
    size_t len, next_index, end;     /* end: where the previous span ended */
    size_t stop_at;                  /* stop after this many objects (0: never) */
};

static bool fz_terminated(const char *s, size_t cap)
{
    return memchr(s, 0, cap) != NULL;
}

static void fz_check_object(const char *obj, size_t len, size_t index)
{
    struct stix_problem p[4];
    struct stix_info info;
    memset(p, 0x5a, sizeof p);
    size_t n = stix_check(obj, len, index, &info, p, 4);
    FZ_CHECK(n == stix_check(obj, len, index, NULL, NULL, 0), "count depends on max");
    for (size_t i = 0; i < n && i < 4; i++) {
        FZ_CHECK(fz_terminated(p[i].id, sizeof p[i].id), "problem id not terminated");
        FZ_CHECK(fz_terminated(p[i].property, sizeof p[i].property), "property not terminated");
        FZ_CHECK(fz_terminated(p[i].message, sizeof p[i].message), "message not terminated");
        FZ_CHECK(p[i].message[0] != 0, "empty problem message");
    }
    FZ_CHECK(fz_terminated(info.type, sizeof info.type) && fz_terminated(info.id, sizeof info.id) &&
             fz_terminated(info.modified, sizeof info.modified) &&
             fz_terminated(info.created_by_ref, sizeof info.created_by_ref), "info not terminated");
    FZ_CHECK(info.nmarkings <= STIX_MARKINGS_MAX && info.nrecipients <= STIX_RECIPIENTS_MAX,
             "info over its bounds");
    FZ_CHECK(info.tlp >= STIX_TLP_NONE && info.tlp <= STIX_TLP_RED, "tlp out of range");
    if (n == 0)
        FZ_CHECK(info.id[0] && info.type[0], "a valid object without id or type");
}

static int fz_object(void *ctx, const char *obj, size_t len, size_t index)
{
    struct fz_split *s = ctx;
    FZ_CHECK(index == s->next_index, "index out of order");
    FZ_CHECK(obj >= s->base + s->end && obj + len <= s->base + s->len, "span outside the text");
    FZ_CHECK(len >= 2 && obj[0] == '{' && obj[len - 1] == '}', "span is not an object");
    json_error_t je;
    json_t *j = json_loadb(obj, len, JSON_ALLOW_NUL, &je);
    /* jansson's own limits: numbers it cannot hold, NUL in member names */
    FZ_CHECK(j || json_error_code(&je) == json_error_numeric_overflow ||
             json_error_code(&je) == json_error_null_byte_in_key,
             "stix_split accepted what jansson rejects");
    FZ_CHECK(!j || json_is_object(j), "span is not a JSON object");
    json_decref(j);
    fz_check_object(obj, len, index);
    s->next_index++;
    s->end = (size_t)(obj - s->base) + len;
    return s->stop_at && s->next_index == s->stop_at ? 42 : 0;
}

static void fz_time(const uint8_t *data, size_t size)
{
    size_t n = size < 48 ? size : 48;
    int64_t us;
    if (!stix_time_parse((const char *)data, n, &us))
        return;
    char out[STIX_TIME_TEXT];
    size_t k = stix_time_format(us, out);
    FZ_CHECK(k == 27, "accepted timestamp does not format");
    int64_t back;
    FZ_CHECK(stix_time_parse(out, k, &back) && back == us, "format/parse round trip");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct fz_split s = {.base = text, .len = size};
    char err[128];
    int rc = stix_split(text, size, fz_object, &s, err, sizeof err);
    FZ_CHECK(rc == 0 || rc == -1, "unexpected return");
    if (rc == -1)
        FZ_CHECK(strncmp(err, "line ", 5) == 0 && fz_terminated(err, sizeof err), "error message");
    if (rc == -1)
        FZ_CHECK(s.next_index == 0, "objects delivered from a malformed text");
    /* the same text with a callback that stops after the first object */
    if (rc == 0 && s.next_index > 0) {
        struct fz_split t = {.base = text, .len = size, .stop_at = 1};
        FZ_CHECK(stix_split(text, size, fz_object, &t, NULL, 0) == 42 && t.next_index == 1,
                 "stop value not returned");
    }
    fz_time(data, size);
    return 0;
}
