/*
 * sighting.c - folds indicator hits into STIX 2.1 sighting objects, one per
 * (indicator, time window).
 *
 * Hits arrive in log order, which is not time order across files, so every
 * open aggregate stays in a hash table until emit. An aggregate is small
 * (the indicator id, times, count and at most max_refs observed-data ids),
 * and the number of aggregates is bounded by indicators hit x windows, which
 * is what an analyst reads anyway. The JSON is built with jansson: sightings
 * are few next to the hits, and jansson gets the escaping right.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/sighting.h"
#include "alidade/stix.h"
#include "core/uuid.h"

#define DEFAULT_MAX_REFS 50

struct agg {
    char *indicator;            /* "indicator--..." */
    int64_t window;             /* window index (0 when window_s is 0) */
    int64_t first_us, last_us;  /* first_seen, last_seen */
    uint64_t count;
    char **refs;                /* distinct observed-data ids, <= max_refs */
    size_t nrefs;
    uint64_t hash;
};

struct ald_sightings {
    char *identity, *now, *marking;
    int64_t window_s;
    size_t max_refs;
    struct agg **slots;         /* open addressing, power-of-two size */
    size_t cap, n;
};

/* FNV-1a over the id, mixed with the window index */
static uint64_t key_hash(const char *id, int64_t window)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h ^= (uint64_t)window * 0x9e3779b97f4a7c15ULL;
    return h ^ (h >> 29);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

ald_sightings *ald_sightings_new(const struct ald_sighting_opts *o)
{
    ald_sightings *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->identity = dup_or_null(o->identity_id);
    /* created/modified with the sub-second digits STIX wants (>= ms) */
    char now[STIX_TIME_TEXT];
    int64_t now_us;
    if (o->now && stix_time_parse(o->now, strlen(o->now), &now_us)) {
        stix_time_format(now_us, now);
        s->now = strdup(now);
    }
    s->marking = dup_or_null(o->marking_id);
    s->window_s = o->window_s > 0 ? o->window_s : 0;
    s->max_refs = o->max_refs ? o->max_refs : DEFAULT_MAX_REFS;
    s->cap = 64;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->identity || !s->now || (o->marking_id && !s->marking) || !s->slots) {
        ald_sightings_free(s);
        return NULL;
    }
    return s;
}

static void agg_free(struct agg *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nrefs; i++)
        free(a->refs[i]);
    free(a->refs);
    free(a->indicator);
    free(a);
}

void ald_sightings_free(ald_sightings *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->slots && i < s->cap; i++)
        agg_free(s->slots[i]);
    free(s->slots);
    free(s->identity);
    free(s->now);
    free(s->marking);
    free(s);
}

size_t ald_sightings_count(const ald_sightings *s)
{
    return s->n;
}

static int grow(ald_sightings *s)
{
    size_t ncap = s->cap * 2;
    struct agg **ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        struct agg *a = s->slots[i];
        if (!a)
            continue;
        size_t j = a->hash & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = a;
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return 0;
}

/* floor division: windows of hits before 1970 still start on a boundary */
static int64_t window_of(const ald_sightings *s, int64_t sec)
{
    if (!s->window_s)
        return 0;
    int64_t q = sec / s->window_s;
    if (sec % s->window_s < 0)
        q--;
    return q;
}

static struct agg *find(const ald_sightings *s, const char *indicator_id, int64_t w,
                        uint64_t h, size_t *slot)
{
    size_t j = h & (s->cap - 1);
    struct agg *a;
    while ((a = s->slots[j]) != NULL) {
        if (a->hash == h && a->window == w && strcmp(a->indicator, indicator_id) == 0)
            break;
        j = (j + 1) & (s->cap - 1);
    }
    *slot = j;
    return a;
}

int ald_sightings_ref_room(const ald_sightings *s, const char *indicator_id, int64_t ts_sec)
{
    int64_t w = window_of(s, ts_sec);
    size_t slot;
    const struct agg *a = find(s, indicator_id, w, key_hash(indicator_id, w), &slot);
    return !a || a->nrefs < s->max_refs;
}

static ald_err add(ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                   int32_t ts_nsec, const char *observed_data_id, bool count);

ald_err ald_sightings_add(ald_sightings *s, const char *indicator_id,
                          int64_t ts_sec, int32_t ts_nsec,
                          const char *observed_data_id)
{
    return add(s, indicator_id, ts_sec, ts_nsec, observed_data_id, true);
}

ald_err ald_sightings_add_ref(ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                              int32_t ts_nsec, const char *observed_data_id)
{
    return add(s, indicator_id, ts_sec, ts_nsec, observed_data_id, false);
}

static ald_err add(ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                   int32_t ts_nsec, const char *observed_data_id, bool count)
{
    if (!indicator_id || !*indicator_id)
        return ALD_E_ARG;
    if ((s->n + 1) * 4 > s->cap * 3 && grow(s) != 0)
        return ALD_E_NOMEM;
    int64_t w = window_of(s, ts_sec);
    uint64_t h = key_hash(indicator_id, w);
    size_t j;
    struct agg *a = find(s, indicator_id, w, h, &j);
    int64_t us = ts_sec * 1000000 + ts_nsec / 1000;
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a || !(a->indicator = strdup(indicator_id))) {
            free(a);
            return ALD_E_NOMEM;
        }
        a->window = w;
        a->hash = h;
        a->first_us = a->last_us = us;
        s->slots[j] = a;
        s->n++;
    }
    if (count || a->count == 0)
        a->count++;
    if (us < a->first_us)
        a->first_us = us;
    if (us > a->last_us)
        a->last_us = us;
    if (observed_data_id && a->nrefs < s->max_refs) {
        for (size_t i = 0; i < a->nrefs; i++)
            if (strcmp(a->refs[i], observed_data_id) == 0)
                return ALD_E_OK;
        char **nr = realloc(a->refs, (a->nrefs + 1) * sizeof *nr);
        if (!nr)
            return ALD_E_NOMEM;
        a->refs = nr;
        if (!(a->refs[a->nrefs] = strdup(observed_data_id)))
            return ALD_E_NOMEM;
        a->nrefs++;
    }
    return ALD_E_OK;
}

static int agg_cmp(const void *x, const void *y)
{
    const struct agg *a = *(const struct agg *const *)x, *b = *(const struct agg *const *)y;
    int c = strcmp(a->indicator, b->indicator);
    if (c)
        return c;
    return (a->window > b->window) - (a->window < b->window);
}

/* same identity, indicator and window: same sighting, a newer version */
static int sighting_id(const ald_sightings *s, const char *indicator, int64_t window,
                       char out[ALD_SIGHTING_ID_LEN])
{
    char name[512], uuid[37];
    int n = snprintf(name, sizeof name, "sighting|%s|%s|%lld|%lld", s->identity, indicator,
                     (long long)window, (long long)s->window_s);
    if (n < 0 || (size_t)n >= sizeof name)
        return -1;
    ald_uuid5(ald_uuid_ns, name, (size_t)n, uuid);
    snprintf(out, ALD_SIGHTING_ID_LEN, "sighting--%s", uuid);
    return 0;
}

ald_err ald_sightings_id(const ald_sightings *s, const char *indicator_id, int64_t ts_sec,
                         char out[ALD_SIGHTING_ID_LEN])
{
    if (!indicator_id || sighting_id(s, indicator_id, window_of(s, ts_sec), out) != 0)
        return ALD_E_ARG;
    return ALD_E_OK;
}

/* The sighting of one aggregate as compact JSON (malloc'd), or NULL. */
static char *agg_json(const ald_sightings *s, const struct agg *a)
{
    char id[ALD_SIGHTING_ID_LEN], t0[STIX_TIME_TEXT], t1[STIX_TIME_TEXT];
    if (sighting_id(s, a->indicator, a->window, id) != 0)
        return NULL;
    stix_time_format(a->first_us, t0);
    stix_time_format(a->last_us, t1);

    json_t *o = json_object(), *refs = NULL;
    if (!o)
        return NULL;
    int bad = 0;
    bad |= json_object_set_new(o, "type", json_string("sighting"));
    bad |= json_object_set_new(o, "spec_version", json_string("2.1"));
    bad |= json_object_set_new(o, "id", json_string(id));
    bad |= json_object_set_new(o, "created_by_ref", json_string(s->identity));
    bad |= json_object_set_new(o, "created", json_string(s->now));
    bad |= json_object_set_new(o, "modified", json_string(s->now));
    bad |= json_object_set_new(o, "first_seen", json_string(t0));
    bad |= json_object_set_new(o, "last_seen", json_string(t1));
    /* STIX caps count at 999,999,999 */
    bad |= json_object_set_new(o, "count",
                               json_integer(a->count > 999999999 ? 999999999 : (json_int_t)a->count));
    bad |= json_object_set_new(o, "sighting_of_ref", json_string(a->indicator));
    if (a->nrefs) {
        refs = json_array();
        for (size_t i = 0; refs && i < a->nrefs; i++)
            bad |= json_array_append_new(refs, json_string(a->refs[i]));
        bad |= json_object_set_new(o, "observed_data_refs", refs);
    }
    json_t *where = json_array();
    bad |= json_array_append_new(where, json_string(s->identity));
    bad |= json_object_set_new(o, "where_sighted_refs", where);
    if (s->marking) {
        json_t *m = json_array();
        bad |= json_array_append_new(m, json_string(s->marking));
        bad |= json_object_set_new(o, "object_marking_refs", m);
    }
    char *text = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

ald_err ald_sightings_emit(const ald_sightings *s, ald_sighting_cb cb, void *ctx)
{
    struct agg **v = malloc((s->n ? s->n : 1) * sizeof *v);
    if (!v)
        return ALD_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            v[k++] = s->slots[i];
    qsort(v, k, sizeof *v, agg_cmp);
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < k && rc == ALD_E_OK; i++) {
        char *text = agg_json(s, v[i]);
        if (!text)
            rc = ALD_E_NOMEM;
        else if (cb(ctx, text, strlen(text)) != 0)
            rc = ALD_E_ARG;
        free(text);
    }
    free(v);
    return rc;
}
