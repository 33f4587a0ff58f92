/*
 * score.c - the drill's score (drill.h): planted truth against what the
 * nodes detected, and what reached each node against the policy.
 *
 * A detection is right when it matches a truth (same kind, vessels or
 * indicator, start and end within the tolerance); a truth is found when a
 * nation expected to see it detected it. Detections that match an artifact
 * (an event the nation's partial view makes unavoidable, e.g. a vessel out
 * of coverage for hours reads as an AIS gap) are counted apart, in neither
 * precision nor recall: the node is right given what it was fed, and the
 * report says how many there were. Percentiles are nearest-rank: the p-th
 * of n sorted values is the ceil(p/100 * n)-th.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/drill.h"
#include "detect/internal.h"

double drill_wall_of(const struct drill_scenario *sc, double wall0, int64_t t)
{
    return wall0 + (double)(t - sc->start_s) / sc->speed;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

struct drill_stat drill_stat_of(double *v, size_t n)
{
    struct drill_stat s = {.n = (unsigned)n};
    if (n == 0)
        return s;
    qsort(v, n, sizeof *v, cmp_double);
    size_t r50 = (size_t)ceil(0.50 * (double)n), r99 = (size_t)ceil(0.99 * (double)n);
    s.p50 = v[(r50 ? r50 : 1) - 1];
    s.p99 = v[(r99 ? r99 : 1) - 1];
    s.max = v[n - 1];
    return s;
}

bool drill_matches(const struct drill_scenario *sc, const struct drill_truth *t,
                   const struct drill_det *d)
{
    if (t->artifact && t->artifact_of != d->node)
        return false;
    if (t->artifact && t->blind)
        return !d->ref[0] && (d->mmsi == t->mmsi || d->mmsi2 == t->mmsi) &&
               d->start <= t->end && d->end >= t->start;
    if (strcmp(t->kind, d->kind) != 0)
        return false;
    if (t->ref[0] || d->ref[0]) {
        if (strcmp(t->ref, d->ref) != 0)
            return false;
    } else {
        bool same = t->mmsi == d->mmsi && t->mmsi2 == d->mmsi2;
        bool swapped = t->mmsi2 && t->mmsi == d->mmsi2 && t->mmsi2 == d->mmsi;
        if (!same && !swapped)
            return false;
    }
    if (t->artifact && t->any_time)
        return true;
    double tol = sc->tolerance_s;
    return fabs((double)(t->start - d->start)) <= tol && fabs((double)(t->end - d->end)) <= tol;
}

long drill_match(const struct drill_scenario *sc, const struct drill_truth *truth,
                 size_t ntruth, const struct drill_det *d)
{
    long best = -1;
    int best_rank = 0;
    for (size_t i = 0; i < ntruth; i++) {
        if (!drill_matches(sc, &truth[i], d))
            continue;
        int rank = truth[i].artifact ? 1 : (truth[i].expect & (1u << d->node) ? 3 : 2);
        if (rank > best_rank) {
            best_rank = rank;
            best = (long)i;
        }
    }
    return best;
}

static int kind_index(struct drill_score *s, const char *kind)
{
    for (unsigned i = 0; i < s->nkinds; i++)
        if (strcmp(s->kinds[i].kind, kind) == 0)
            return (int)i;
    if (s->nkinds == DRILL_MAX_KINDS)
        return -1;
    struct drill_kind_score *k = &s->kinds[s->nkinds];
    memset(k, 0, sizeof *k);
    strncpy(k->kind, kind, DRILL_KIND_MAX - 1);
    return (int)s->nkinds++;
}

static double ratio(unsigned num, unsigned den)
{
    return den ? (double)num / den : 1.0;
}

/* When a planted event can first be known for certain, the origin of its
 * time to detect: its end, except for a gap, which is certain once the
 * vessel has been silent the gap threshold (the nodes run the defaults):
 * the live node reports it then, as an ongoing gap (docs/detect-gap.md),
 * long before the vessel is heard again. */
static int64_t certain_at(const struct drill_truth *t)
{
    if (strcmp(t->kind, "gap") == 0) {
        struct det_config c;
        det_config_defaults(&c, NULL);
        int64_t at = t->start + (int64_t)ceil(c.gap_min_h * 3600);
        return at < t->end ? at : t->end;
    }
    return t->end;
}


ald_err drill_score_compute(const struct drill_scenario *sc, double wall0,
                            const struct drill_truth *truth, size_t ntruth,
                            const struct drill_det *det, size_t ndet,
                            const struct drill_arrival *arr, size_t narr,
                            struct drill_score *out, bool *leak)
{
    memset(out, 0, sizeof *out);
    /* per detection: the truth it is counted against (drill_match) */
    long *dm = calloc(ndet ? ndet : 1, sizeof *dm);
    double *tmp = calloc((ntruth > narr ? ntruth : narr) + 1, sizeof *tmp);
    if (!dm || !tmp) {
        free(dm);
        free(tmp);
        return ALD_E_NOMEM;
    }
    ald_err rc = ALD_E_OK;
    for (size_t i = 0; i < ntruth; i++)
        if (!truth[i].blind && kind_index(out, truth[i].kind) < 0)
            rc = ALD_E_TOO_LARGE;
    for (size_t j = 0; j < ndet; j++) {
        if (kind_index(out, det[j].kind) < 0)
            rc = ALD_E_TOO_LARGE;
        long best = drill_match(sc, truth, ntruth, &det[j]);
        dm[j] = best;
    }
    if (rc)
        goto done;

    /* detections: per kind and per detecting nation */
    for (size_t j = 0; j < ndet; j++) {
        struct drill_kind_score *k = &out->kinds[kind_index(out, det[j].kind)];
        struct drill_nation_score *n =
            det[j].node < DRILL_MAX_NATIONS ? &out->nations[det[j].node] : NULL;
        if (dm[j] >= 0 && truth[dm[j]].artifact) {
            k->explained++;
            if (n)
                n->explained++;
            continue;
        }
        k->detections++;
        if (n)
            n->detections++;
        if (dm[j] >= 0) {
            k->correct++;
            if (n)
                n->correct++;
        }
    }

    /* truths: found by the network (any expected nation), per nation, and
     * the time to the first detection */
    unsigned found_all = 0, planted_all = 0, det_all = 0, correct_all = 0;
    for (unsigned ki = 0; ki < out->nkinds; ki++) {
        struct drill_kind_score *k = &out->kinds[ki];
        size_t nt = 0;
        for (size_t i = 0; i < ntruth; i++) {
            if (truth[i].artifact || strcmp(truth[i].kind, k->kind) != 0)
                continue;
            k->planted++;
            double first = INFINITY;
            uint32_t by = 0;
            for (size_t j = 0; j < ndet; j++)
                if (dm[j] == (long)i && (truth[i].expect & (1u << det[j].node))) {
                    by |= 1u << det[j].node;
                    if (det[j].added_wall < first)
                        first = det[j].added_wall;
                }
            if (by) {
                k->found++;
                tmp[nt++] = first - drill_wall_of(sc, wall0, certain_at(&truth[i]));
            }
        }
        k->ttd_s = drill_stat_of(tmp, nt);
        k->precision = ratio(k->correct, k->detections);
        k->recall = ratio(k->found, k->planted);
        found_all += k->found;
        planted_all += k->planted;
        det_all += k->detections;
        correct_all += k->correct;
    }
    out->precision = ratio(correct_all, det_all);
    out->recall = ratio(found_all, planted_all);

    for (unsigned nn = 0; nn < sc->nnations && nn < DRILL_MAX_NATIONS; nn++) {
        struct drill_nation_score *n = &out->nations[nn];
        size_t nt = 0;
        for (size_t i = 0; i < ntruth; i++) {
            if (truth[i].artifact || !(truth[i].expect & (1u << nn)))
                continue;
            n->expected++;
            double first = INFINITY;
            for (size_t j = 0; j < ndet; j++)
                if (dm[j] == (long)i && det[j].node == nn && det[j].added_wall < first)
                    first = det[j].added_wall;
            if (first < INFINITY) {
                n->found++;
                tmp[nt++] = first - drill_wall_of(sc, wall0, certain_at(&truth[i]));
            }
        }
        n->ttd_s = drill_stat_of(tmp, nt);
        n->precision = ratio(n->correct, n->detections);
        n->recall = ratio(n->found, n->expected);
    }

    /* arrivals: leaks and latency, overall and per (origin, holder) */
    size_t nl = 0;
    for (size_t a = 0; a < narr; a++) {
        bool bad = !drill_may_reach(sc, &arr[a].pol, arr[a].node);
        if (leak)
            leak[a] = bad;
        out->arrivals++;
        if (arr[a].node < DRILL_MAX_NATIONS) {
            out->nations[arr[a].node].received++;
            if (bad)
                out->nations[arr[a].node].leaks++;
        }
        if (bad)
            out->leaks++;
        if (!isnan(arr[a].origin_wall))
            tmp[nl++] = arr[a].added_wall - arr[a].origin_wall;
    }
    out->share_latency_s = drill_stat_of(tmp, nl);
    for (unsigned o = 0; o < sc->nnations && o < DRILL_MAX_NATIONS; o++)
        for (unsigned h = 0; h < sc->nnations && h < DRILL_MAX_NATIONS; h++) {
            size_t m = 0;
            for (size_t a = 0; a < narr; a++)
                if (arr[a].pol.origin == o && arr[a].node == h && !isnan(arr[a].origin_wall))
                    tmp[m++] = arr[a].added_wall - arr[a].origin_wall;
            out->pairs[o][h].latency_s = drill_stat_of(tmp, m);
        }
done:
    free(dm);
    free(tmp);
    return rc;
}

