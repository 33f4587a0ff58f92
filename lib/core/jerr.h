/*
 * jerr.h - a jansson parse error as an ald_errpos (code ALD_E_JSON, line,
 * column, byte offset and jansson's message), for every lib/ parser that
 * reads JSON with jansson.
 */
#ifndef ALD_CORE_JERR_H
#define ALD_CORE_JERR_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "alidade/error.h"

/* Fills *err (may be NULL) from je; returns ALD_E_JSON. */
static inline ald_err ald_errpos_json(struct ald_errpos *err, const json_error_t *je)
{
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = ALD_E_JSON;
        err->line = je->line > 0 ? (unsigned)je->line : 0;
        err->col = je->column > 0 ? (unsigned)je->column : 0;
        err->offset = je->position > 0 ? (size_t)je->position : 0;
        snprintf(err->msg, sizeof err->msg, "%.95s", je->text);
    }
    return ALD_E_JSON;
}

/* json_loadb of n bytes; NULL with *err (may be NULL) filled as above
 * when the text is not JSON. */
static inline json_t *ald_json_loadb(const char *text, size_t n, struct ald_errpos *err)
{
    json_error_t je;
    json_t *v = json_loadb(text, n, 0, &je);
    if (!v)
        ald_errpos_json(err, &je);
    return v;
}

#endif
