/*
 * fuzz_log.h - oracles shared by the log parser fuzz targets (fuzz_eve.c,
 * fuzz_zeek.c, fuzz_text.c). Header-only; a failed check aborts so
 * libFuzzer keeps the input.
 *
 * For every line: the result is ALD_E_OK or ALD_E_LOG_LINE; a failed line
 * leaves an empty record and an error inside the line with a message; a
 * record's fields are well-formed for their kind (addresses parse with
 * inet_pton, hashes are hex of their length, ports are 0-65535, e-mail
 * addresses have a local part and a domain, names and values are set);
 * and the record's observed-data is JSON lines jansson reads (valid UTF-8,
 * every object with a type and an id; a NUL byte of a value is \u0000,
 * valid JSON that jansson reads with JSON_ALLOW_NUL).
 */
#ifndef ALD_FUZZ_LOG_H
#define ALD_FUZZ_LOG_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/logparse.h"

#include "fuzz_abort.h"

static bool fz_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F')))
            return false;
    return true;
}

static void fz_field(const ald_logfield *f)
{
    FZ_CHECK((unsigned)f->kind < ALD_OBS__COUNT, "kind out of range");
    FZ_CHECK(f->role == ALD_ROLE_NONE || f->role == ALD_ROLE_SRC || f->role == ALD_ROLE_DST,
             "role out of range");
    FZ_CHECK(f->v != NULL && f->name != NULL && f->name[0], "value or name missing");
    FZ_CHECK(f->len > 0, "empty value");
    char tmp[64];
    unsigned char bin[16];
    switch (f->kind) {
    case ALD_OBS_IPV4:
    case ALD_OBS_IPV6:
        FZ_CHECK(f->len < sizeof tmp, "address too long");
        memcpy(tmp, f->v, f->len);
        tmp[f->len] = '\0';
        FZ_CHECK(inet_pton(f->kind == ALD_OBS_IPV4 ? AF_INET : AF_INET6, tmp, bin) == 1,
                 "address does not parse");
        break;
    case ALD_OBS_MD5:
        FZ_CHECK(f->len == 32 && fz_hex(f->v, f->len), "bad MD5");
        break;
    case ALD_OBS_SHA1:
    case ALD_OBS_X509_SHA1:
        FZ_CHECK(f->len == 40 && fz_hex(f->v, f->len), "bad SHA-1");
        break;
    case ALD_OBS_SHA256:
    case ALD_OBS_X509_SHA256:
        FZ_CHECK(f->len == 64 && fz_hex(f->v, f->len), "bad SHA-256");
        break;
    case ALD_OBS_SHA512:
        FZ_CHECK(f->len == 128 && fz_hex(f->v, f->len), "bad SHA-512");
        break;
    case ALD_OBS_PORT: {
        FZ_CHECK(f->len <= 5, "port too long");
        unsigned v = 0;
        for (size_t i = 0; i < f->len; i++) {
            FZ_CHECK(f->v[i] >= '0' && f->v[i] <= '9', "port not digits");
            v = v * 10 + (unsigned)(f->v[i] - '0');
        }
        FZ_CHECK(v <= 65535, "port over 65535");
        break;
    }
    case ALD_OBS_EMAIL: {
        const char *at = memchr(f->v, '@', f->len);
        FZ_CHECK(at && at > f->v && at < f->v + f->len - 1, "e-mail without local@domain");
        break;
    }
    case ALD_OBS_URL:
        FZ_CHECK(f->len >= 4 && memmem(f->v, f->len, "://", 3), "URL without ://");
        break;
    default:
        break;
    }
}

/* Every line of the observed-data output is a JSON object jansson reads. */
static void fz_observed(const ald_logrec *r)
{
    char *out = NULL;
    struct ald_observed_opts o = {"identity--b5437038-eb96-4652-88bc-5f94993b7326", "fuzz", 1,
                                  "2024-01-01T00:00:00.000Z"};
    ald_err e = ald_logrec_observed_data_ex(r, &o, &out);
    FZ_CHECK(e == ALD_E_OK || e == ALD_E_NOT_FOUND || e == ALD_E_ARG, "observed-data error");
    if (e != ALD_E_OK) {
        FZ_CHECK(out == NULL, "output on error");
        return;
    }
    size_t objects = 0;
    for (const char *s = out; *s;) {
        const char *nl = strchr(s, '\n');
        FZ_CHECK(nl != NULL, "observed-data line without newline");
        json_error_t je;
        json_t *j = json_loadb(s, (size_t)(nl - s), JSON_ALLOW_NUL, &je);
        if (!j)
            fprintf(stderr, "not JSON (%s): %.*s\n", je.text, (int)(nl - s), s);
        FZ_CHECK(j != NULL, "observed-data is not JSON");
        FZ_CHECK(json_is_string(json_object_get(j, "type")) &&
                     json_is_string(json_object_get(j, "id")),
                 "object without type or id");
        json_decref(j);
        objects++;
        s = nl + 1;
    }
    FZ_CHECK(objects >= 2, "observed-data without SCO");
    free(out);
}

/* Parses every line of the input with p and checks each result. */
static void fz_lines(ald_logparser *p, const uint8_t *data, size_t size, bool observed)
{
    const char *s = (const char *)data, *end = s + size;
    while (s <= end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        ald_logrec r;
        struct ald_errpos e;
        ald_err rc = ald_logparser_line(p, s, n, &r, &e);
        FZ_CHECK(rc == ALD_E_OK || rc == ALD_E_LOG_LINE, "unexpected error code");
        if (rc == ALD_E_LOG_LINE) {
            FZ_CHECK(e.code == ALD_E_LOG_LINE, "error code not set");
            FZ_CHECK(e.offset <= n, "error position past the line");
            FZ_CHECK(e.msg[0] != '\0' && memchr(e.msg, 0, sizeof e.msg), "error message");
            FZ_CHECK(r.nfields == 0 && r.type == NULL, "failed line gives a record");
        } else {
            for (size_t i = 0; i < r.nfields; i++)
                fz_field(&r.fields[i]);
            if (r.type && observed)
                fz_observed(&r);
            if (!r.type)
                FZ_CHECK(r.nfields == 0, "header line with fields");
        }
        if (!nl)
            break;
        s = nl + 1;
    }
}

#endif
