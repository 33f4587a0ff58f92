/*
 * test_general_stream.c - GENERAL indicators over several observations in
 * a stream (lib/match/general.c, match_general.h): the matches are taken in
 * completion order and do not depend on when ald_general_step runs (after
 * every record, every few records, once at the end: the live node and
 * `alidade match` must agree), also when candidates are dropped (max_obs,
 * the WITHIN window); a recompiled evaluator that adopts the candidates
 * finds what one evaluator over the whole stream finds; the first match of
 * a hand-made sequence is the expected binding and consumes its prefix.
 * Records are Suricata EVE lines parsed by the real log parser.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/logparse.h"
#include "alidade/match.h"
#include "alidade/match_general.h"

static const char *const patterns[] = {
    "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [ipv4-addr:value = '10.0.0.2'] WITHIN 60 SECONDS",
    "[ipv4-addr:value = '10.0.0.3'] REPEATS 3 TIMES WITHIN 30 SECONDS",
    "[ipv4-addr:value = '10.0.0.1'] AND [ipv4-addr:value = '10.0.0.4']",
    "([ipv4-addr:value = '10.0.0.2'] OR [ipv4-addr:value = '10.0.0.5']) FOLLOWEDBY "
    "[ipv4-addr:value = '10.0.0.3']",
    /* more candidates than max_obs 7 can hold: drops change its matches */
    "[ipv4-addr:value = '10.0.0.5'] REPEATS 8 TIMES WITHIN 300 SECONDS",
};
#define NPAT (sizeof patterns / sizeof patterns[0])

static ald_iset *make_set(size_t npat)
{
    ald_iset *s = ald_iset_new();
    assert_non_null(s);
    ald_iset_set_validity(s, ALD_VALID_IGNORE, 0);
    for (size_t i = 0; i < npat; i++) {
        char json[1024];
        int n = snprintf(json, sizeof json,
                         "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"
                         "00000000-0000-4000-8000-%012zu\",\"created\":\"2026-01-01T00:00:00Z\","
                         "\"modified\":\"2026-01-01T00:00:00Z\",\"pattern\":\"%s\","
                         "\"pattern_type\":\"stix\",\"valid_from\":\"2000-01-01T00:00:00Z\"}",
                         i + 1, patterns[i]);
        struct ald_errpos e = {0};
        assert_int_equal(ald_iset_add_json(s, json, (size_t)n, &e), ALD_E_OK);
    }
    struct ald_errpos e = {0};
    assert_int_equal(ald_iset_compile(s, &e), ALD_E_OK);
    return s;
}

/* The stream: EVE lines from 10.0.0.1-5, time mostly increasing with
 * jitter (some records out of order), from a fixed seed. */
struct rec {
    char line[256];
    size_t len;
};

static struct rec *make_stream(size_t n, unsigned seed)
{
    struct rec *v = calloc(n, sizeof *v);
    assert_non_null(v);
    uint64_t x = seed * 2654435761u + 1;
    int64_t t = 1700000000;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        t += (int64_t)((x >> 33) % 9);                 /* 0-8 s later */
        int64_t jitter = (x >> 20) % 7 == 0 ? -(int64_t)((x >> 40) % 20) : 0;
        unsigned host = 1 + (unsigned)((x >> 45) % 5);
        int64_t ts = t + jitter;
        v[i].len = (size_t)snprintf(
            v[i].line, sizeof v[i].line,
            "{\"timestamp\":\"2023-11-14T%02lld:%02lld:%02lld.000000+0000\",\"event_type\":\"flow\","
            "\"src_ip\":\"10.0.0.%u\",\"src_port\":%u,\"dest_ip\":\"192.0.2.9\",\"dest_port\":443,"
            "\"proto\":\"TCP\"}",
            (long long)((ts / 3600) % 24), (long long)((ts / 60) % 60), (long long)(ts % 60), host,
            1024 + (unsigned)(i % 50000));
    }
    return v;
}

/* What the matches were: "indicator:line,line,..." per match. */
struct out {
    char *text;
    size_t len, cap;
    size_t matches;
};

static int on_hit(void *ctx, const ald_general_hit *h)
{
    struct out *o = ctx;
    char one[1024];
    int n = snprintf(one, sizeof one, "%s:", h->id + strlen(h->id) - 2);
    for (size_t i = 0; i < h->nobs && n < (int)sizeof one - 24; i++) {
        n += snprintf(one + n, sizeof one - (size_t)n, "%llu%s", (unsigned long long)h->lines[i],
                      i + 1 < h->nobs ? "," : "\n");
        /* the raw line comes with each observation */
        assert_true(h->lens[i] > 0 && h->texts[i][0] == '{');
        assert_int_equal(h->offsets[i], (int64_t)h->lines[i] * 1000);
    }
    if (o->len + (size_t)n + 1 > o->cap) {
        o->cap = (o->len + (size_t)n + 1) * 2;
        o->text = realloc(o->text, o->cap);
        assert_non_null(o->text);
    }
    memcpy(o->text + o->len, one, (size_t)n + 1);
    o->len += (size_t)n;
    o->matches++;
    return 0;
}

/* Feeds records [from, to) of v into g, stepping every `every` records
 * (0: never; the caller finishes). */
static void feed(ald_general *g, ald_logparser *p, const struct rec *v, size_t from, size_t to,
                 size_t every, struct out *o)
{
    for (size_t i = from; i < to; i++) {
        ald_logrec r;
        struct ald_errpos e = {0};
        assert_int_equal(ald_logparser_line(p, v[i].line, v[i].len, &r, &e), ALD_E_OK);
        assert_int_equal(ald_general_record(g, &r, "log", i + 1, v[i].line, v[i].len,
                                            (int64_t)(i + 1) * 1000, on_hit, o),
                         ALD_E_OK);
        if (every && (i + 1) % every == 0)
            assert_int_equal(ald_general_step(g, on_hit, o), ALD_E_OK);
    }
}

/* Matches per indicator, each indicator's in completion order: steps
 * interleave indicators differently, the order within one never changes. */
struct ln {
    char *s;
    size_t i;
};

static int by_indicator(const void *a, const void *b)
{
    const struct ln *x = a, *y = b;
    int c = strncmp(x->s, y->s, 2);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static void normalize(struct out *o)
{
    if (!o->text)
        o->text = strdup("");
    size_t n = 0, cap = 16;
    struct ln *v = malloc(cap * sizeof *v);
    char *save = NULL;
    for (char *l = strtok_r(o->text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n].s = l;
        v[n].i = n;
        n++;
    }
    qsort(v, n, sizeof *v, by_indicator);
    char *t = malloc(o->len + 2);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(t + len, "%s\n", v[i].s);
    t[len] = '\0';
    free(v);
    free(o->text);
    o->text = t;
    o->len = len;
}

static struct out run(const ald_iset *s, const struct rec *v, size_t n, size_t every,
                      size_t max_obs)
{
    struct ald_general_opts go = {.identity_id = "identity--00000000-0000-4000-8000-000000000000",
                                  .now = "2026-01-01T00:00:00Z", .max_obs = max_obs};
    ald_general *g = ald_general_new(s, &go, NULL, NULL);
    assert_non_null(g);
    ald_logparser *p = ald_logparser_new(ALD_LOG_EVE);
    struct out o = {0};
    feed(g, p, v, 0, n, every, &o);
    size_t trunc = 0;
    assert_int_equal(ald_general_finish(g, on_hit, &o, &trunc), ALD_E_OK);
    ald_logparser_free(p);
    ald_general_free(g);
    normalize(&o);
    return o;
}

/* The same matches whenever the steps run, with and without drops. */
static void independent_of_steps(void **state)
{
    (void)state;
    ald_iset *s = make_set(NPAT);
    size_t counts[2] = {0};
    for (unsigned seed = 1; seed <= 3; seed++) {
        size_t n = 2000;
        struct rec *v = make_stream(n, seed);
        const size_t max_obs[] = {0, 7};
        for (size_t m = 0; m < 2; m++) {
            struct out end = run(s, v, n, 0, max_obs[m]);
            const size_t every[] = {1, 2, 13, 500};
            for (size_t k = 0; k < 4; k++) {
                struct out o = run(s, v, n, every[k], max_obs[m]);
                if (strcmp(o.text, end.text) != 0)
                    fail_msg("seed %u, max_obs %zu, step every %zu: %zu matches, at the end %zu",
                             seed, max_obs[m], every[k], o.matches, end.matches);
                free(o.text);
            }
            counts[m] += end.matches;
            free(end.text);
        }
        free(v);
    }
    /* the streams do match, and drops cost matches (REPEATS 8 with 7) */
    print_message("matches over 3 streams: %zu (max_obs 100000), %zu (max_obs 7)\n", counts[0],
                  counts[1]);
    assert_true(counts[0] > 100);
    assert_true(counts[1] > 0 && counts[1] < counts[0]);
    ald_iset_free(s);
}

/* A recompiled evaluator (one more indicator) that adopts the candidates
 * finds the matches one evaluator over the whole stream finds. */
static void adopt_across_recompile(void **state)
{
    (void)state;
    ald_iset *s1 = make_set(NPAT - 1), *s2 = make_set(NPAT);
    size_t n = 2000;
    struct rec *v = make_stream(n, 9);
    struct ald_general_opts go = {.identity_id = "identity--00000000-0000-4000-8000-000000000000",
                                  .now = "2026-01-01T00:00:00Z"};
    for (size_t cut = 1; cut < n; cut += 333) {
        ald_general *a = ald_general_new(s1, &go, NULL, NULL);
        ald_general *b = ald_general_new(s2, &go, NULL, NULL);
        assert_non_null(a);
        assert_non_null(b);
        ald_logparser *p = ald_logparser_new(ALD_LOG_EVE);
        struct out o = {0};
        feed(a, p, v, 0, cut, 7, &o);
        ald_general_adopt(b, a);
        ald_general_free(a);                /* what b did not take goes */
        feed(b, p, v, cut, n, 7, &o);
        assert_int_equal(ald_general_finish(b, on_hit, &o, NULL), ALD_E_OK);
        ald_logparser_free(p);
        ald_general_free(b);
        normalize(&o);
        /* the reference: the old indicators over everything, the new one
         * from the cut on (it did not exist before) */
        struct out ref = run(s1, v, n, 0, 0);
        size_t k = 0;
        /* every match of the adopted indicators is in the reference, in
         * order; the new indicator's (the last) are extra */
        char *save = NULL, *line = strtok_r(o.text, "\n", &save);
        char *rsave = NULL, *rline = strtok_r(ref.text, "\n", &rsave);
        while (line) {
            char last[8];
            snprintf(last, sizeof last, "%02zu:", NPAT);
            if (strncmp(line, last, 3) != 0) {
                assert_non_null(rline);
                assert_string_equal(line, rline);
                rline = strtok_r(NULL, "\n", &rsave);
                k++;
            }
            line = strtok_r(NULL, "\n", &save);
        }
        assert_null(rline);
        assert_true(k > 0);
        free(o.text);
        free(ref.text);
    }
    free(v);
    ald_iset_free(s1);
    ald_iset_free(s2);
}

/* a(0) a(10) b(20) b(30) for "a FOLLOWEDBY b WITHIN 60": one match,
 * completed by b(20); its prefix consumed, so b(30) is left alone. */
static void completion_order(void **state)
{
    (void)state;
    ald_iset *s = make_set(1);
    struct rec v[4];
    const int host[] = {1, 1, 2, 2}, sec[] = {0, 10, 20, 30};
    for (size_t i = 0; i < 4; i++)
        v[i].len = (size_t)snprintf(
            v[i].line, sizeof v[i].line,
            "{\"timestamp\":\"2023-11-14T10:00:%02d.000000+0000\",\"event_type\":\"flow\","
            "\"src_ip\":\"10.0.0.%d\",\"src_port\":1000,\"dest_ip\":\"192.0.2.9\","
            "\"dest_port\":443,\"proto\":\"TCP\"}",
            sec[i], host[i]);
    struct out o = run(s, v, 4, 1, 0);
    assert_int_equal(o.matches, 1);
    assert_true(strcmp(o.text, "01:1,3\n") == 0 || strcmp(o.text, "01:2,3\n") == 0);
    free(o.text);
    ald_iset_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(completion_order),
        cmocka_unit_test(independent_of_steps),
        cmocka_unit_test(adopt_across_recompile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
