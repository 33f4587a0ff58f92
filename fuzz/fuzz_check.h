/*
 * fuzz_check.h - oracles shared by the libFuzzer targets: every AIS output
 * line must be valid JSON / a 9-column CSV row, must not depend on the cap
 * it was written with, and must never be written past that cap.
 * Header-only (static functions); a failed check calls abort() so libFuzzer
 * records the input as a crash.
 */
#ifndef ALD_FUZZ_CHECK_H
#define ALD_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/ais.h"

#include "fuzz_abort.h"

/* ---- a strict, minimal JSON validator (RFC 8259, ASCII only) ---- */

struct fz_json {
    const char *p, *end;
    int depth;
};

static bool fz_json_value(struct fz_json *j);

static bool fz_json_string(struct fz_json *j)
{
    if (j->p >= j->end || *j->p != '"')
        return false;
    j->p++;
    while (j->p < j->end) {
        unsigned char c = (unsigned char)*j->p++;
        if (c == '"')
            return true;
        if (c < 0x20 || c >= 0x7f)   /* gpsd's dialect is plain ASCII */
            return false;
        if (c == '\\') {
            if (j->p >= j->end)
                return false;
            c = (unsigned char)*j->p++;
            if (c == 'u') {
                for (int i = 0; i < 4; i++, j->p++)
                    if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
                        return false;
            } else if (!strchr("\"\\/bfnrt", c) || !c) {
                return false;
            }
        }
    }
    return false;
}

static bool fz_digit(const struct fz_json *j)
{
    return j->p < j->end && *j->p >= '0' && *j->p <= '9';
}

static bool fz_json_number(struct fz_json *j)
{
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (!fz_digit(j))
        return false;
    if (*j->p == '0')
        j->p++;
    else
        while (fz_digit(j))
            j->p++;
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!fz_digit(j))
            return false;
        while (fz_digit(j))
            j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (!fz_digit(j))
            return false;
        while (fz_digit(j))
            j->p++;
    }
    return true;
}

static bool fz_json_lit(struct fz_json *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return false;
    j->p += n;
    return true;
}

static bool fz_json_container(struct fz_json *j, char open, char close)
{
    if (++j->depth > 32)
        return false;
    j->p++;  /* open */
    (void)open;
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return true;
    }
    for (;;) {
        if (close == '}') {
            if (!fz_json_string(j) || j->p >= j->end || *j->p++ != ':')
                return false;
        }
        if (!fz_json_value(j) || j->p >= j->end)
            return false;
        char c = *j->p++;
        if (c == close)
            break;
        if (c != ',')
            return false;
    }
    j->depth--;
    return true;
}

static bool fz_json_value(struct fz_json *j)
{
    if (j->p >= j->end)
        return false;
    switch (*j->p) {
    case '{': return fz_json_container(j, '{', '}');
    case '[': return fz_json_container(j, '[', ']');
    case '"': return fz_json_string(j);
    case 't': return fz_json_lit(j, "true");
    case 'f': return fz_json_lit(j, "false");
    case 'n': return fz_json_lit(j, "null");
    default: return fz_json_number(j);
    }
}

/* True when s[0..n) is exactly one JSON object. */
static bool fz_json_valid(const char *s, size_t n)
{
    struct fz_json j = {.p = s, .end = s + n, .depth = 0};
    if (n == 0 || s[0] != '{')
        return false;
    return fz_json_value(&j) && j.p == j.end;
}

/* ---- output checks ---- */

/*
 * Formats msg as JSON with a cap of AIS_LINE_MAX, validates it, then formats
 * it again into a heap buffer of exactly n + delta bytes, n being its length
 * (ASan catches any write past it): a cap below the length must give 0, a
 * roomier one the same bytes. `full` must hold AIS_LINE_MAX bytes.
 */
static size_t fz_check_json(const struct ais_msg *m, bool scaled, const char *device,
                            char *full, int delta)
{
    size_t n = ais_json(m, scaled, device, full, AIS_LINE_MAX);
    FZ_CHECK(n > 0, "ais_json: AIS_LINE_MAX was not enough");
    FZ_CHECK(n < AIS_LINE_MAX, "ais_json: length not below cap");
    if (!fz_json_valid(full, n)) {
        fprintf(stderr, "invalid JSON (%zu bytes): %.*s\n", n, (int)n, full);
        FZ_CHECK(0, "ais_json produced invalid JSON");
    }
    size_t small = (ptrdiff_t)n + delta > 0 ? (size_t)((ptrdiff_t)n + delta) : 1;
    char *b = malloc(small);
    FZ_CHECK(b != NULL, "malloc");
    size_t k = ais_json(m, scaled, device, b, small);
    if (small < n)
        FZ_CHECK(k == 0, "ais_json: reported success with a cap below the length");
    else if (small > n)
        FZ_CHECK(k == n && memcmp(b, full, n) == 0, "ais_json: output depends on cap");
    free(b);
    return n;
}

/* CSV row: no control characters, exactly the header's 9 columns; written
 * for exactly the types ais_has_position() names; re-written with a cap of
 * n + delta as for JSON. `full`: AIS_LINE_MAX bytes. */
static size_t fz_check_csv(const struct ais_msg *m, const struct ais_meta *meta,
                           char *full, int delta)
{
    size_t n = ais_csv(m, meta, full, AIS_LINE_MAX);
    FZ_CHECK(n < AIS_LINE_MAX, "ais_csv: length not below cap");
    FZ_CHECK((n > 0) == ais_has_position(m), "ais_csv: row iff ais_has_position");
    size_t commas = 0;
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK((unsigned char)full[i] >= 0x20 && (unsigned char)full[i] < 0x7f,
                 "ais_csv: control or non-ASCII byte");
        commas += full[i] == ',';
    }
    FZ_CHECK(n == 0 || commas == 8, "ais_csv: row does not have 9 columns");
    if (n) {
        size_t small = (ptrdiff_t)n + delta > 0 ? (size_t)((ptrdiff_t)n + delta) : 1;
        char *b = malloc(small);
        FZ_CHECK(b != NULL, "malloc");
        size_t k = ais_csv(m, meta, b, small);
        if (small < n)
            FZ_CHECK(k == 0, "ais_csv: reported success with a cap below the length");
        else if (small > n)
            FZ_CHECK(k == n && memcmp(b, full, n) == 0, "ais_csv: output depends on cap");
        free(b);
    }
    return n;
}

#endif
