/*
 * record_stix.c - keeps the STIX objects that show what a log line held
 * (lib/match/observed.c builds them), so a sighting's observed_data_refs
 * resolve inside the bundle or store it is written to. Objects are kept as
 * text; a small open-addressing table of ids drops repeats (the same
 * address seen on many lines is one ipv4-addr object).
 */
#include "record_stix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/stix.h"

struct record_stix {
    char *identity;
    char *now;                   /* the time of records that have none */
    char **objs;                 /* compact JSON, in order */
    size_t n, cap;
    char **ids;                  /* open addressing over object ids */
    size_t idcap, nids;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

record_stix *record_stix_new(const char *identity_id, const char *now)
{
    record_stix *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->identity = strdup(identity_id);
    r->now = strdup(now);
    r->idcap = 256;
    r->ids = calloc(r->idcap, sizeof *r->ids);
    if (!r->identity || !r->now || !r->ids) {
        record_stix_free(r);
        return NULL;
    }
    return r;
}

void record_stix_free(record_stix *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->objs[i]);
    for (size_t i = 0; r->ids && i < r->idcap; i++)
        free(r->ids[i]);
    free(r->objs);
    free(r->ids);
    free(r->identity);
    free(r->now);
    free(r);
}

/* 1 when id was not there (now added), 0 when it was, -1 out of memory */
static int id_insert(record_stix *r, const char *id)
{
    if ((r->nids + 1) * 2 > r->idcap) {
        size_t ncap = r->idcap * 2;
        char **nt = calloc(ncap, sizeof *nt);
        if (!nt)
            return -1;
        for (size_t i = 0; i < r->idcap; i++) {
            if (!r->ids[i])
                continue;
            size_t j = hash_str(r->ids[i]) & (ncap - 1);
            while (nt[j])
                j = (j + 1) & (ncap - 1);
            nt[j] = r->ids[i];
        }
        free(r->ids);
        r->ids = nt;
        r->idcap = ncap;
    }
    size_t j = hash_str(id) & (r->idcap - 1);
    while (r->ids[j]) {
        if (strcmp(r->ids[j], id) == 0)
            return 0;
        j = (j + 1) & (r->idcap - 1);
    }
    if (!(r->ids[j] = strdup(id)))
        return -1;
    r->nids++;
    return 1;
}

struct add_ctx {
    record_stix *r;
    char *od_id;
    int oom;
};

static int keep_object(void *ctx, const char *obj, size_t len, size_t index)
{
    struct add_ctx *a = ctx;
    (void)index;
    struct stix_info info;
    stix_check(obj, len, index, &info, NULL, 0);
    if (strcmp(info.type, "observed-data") == 0)
        snprintf(a->od_id, 96, "%.95s", info.id);
    int ins = id_insert(a->r, info.id);
    if (ins < 0) {
        a->oom = 1;
        return 1;
    }
    if (ins == 0)
        return 0;
    if (a->r->n == a->r->cap) {
        size_t nc = a->r->cap ? a->r->cap * 2 : 64;
        char **no = realloc(a->r->objs, nc * sizeof *no);
        if (!no) {
            a->oom = 1;
            return 1;
        }
        a->r->objs = no;
        a->r->cap = nc;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        a->oom = 1;
        return 1;
    }
    memcpy(copy, obj, len);
    copy[len] = '\0';
    a->r->objs[a->r->n++] = copy;
    return 0;
}

ald_err record_stix_add_json(record_stix *r, const char *json, char od_id[96])
{
    struct add_ctx a = {.r = r, .od_id = od_id};
    char err[160];
    od_id[0] = '\0';
    int rc = stix_split(json, strlen(json), keep_object, &a, err, sizeof err);
    if (a.oom)
        return ALD_E_NOMEM;
    return rc == 0 && od_id[0] ? ALD_E_OK : ALD_E_STIX_INVALID;
}

ald_err record_stix_add(record_stix *r, const ald_logrec *rec, const char *source,
                        uint64_t line, char od_id[96])
{
    char *json = NULL;
    od_id[0] = '\0';
    struct ald_observed_opts o = {.identity_id = r->identity, .source_name = source,
                                  .line_no = line, .now = r->now};
    ald_err e = ald_logrec_observed_data_ex(rec, &o, &json);
    if (e != ALD_E_OK)
        return e;
    e = record_stix_add_json(r, json, od_id);
    free(json);
    return e;
}

int record_stix_emit(const record_stix *r, int (*cb)(void *, const char *, size_t), void *ctx)
{
    for (size_t i = 0; i < r->n; i++) {
        int rc = cb(ctx, r->objs[i], strlen(r->objs[i]));
        if (rc)
            return rc;
    }
    return 0;
}
