/*
 * drill_report.c - what `alidade drill run` leaves behind (docs/drill.md):
 * DIR/score.json (the figures, for tools), DIR/report.md (the after-action
 * report) and DIR/report.html (the same, self-contained: inline CSS and
 * inline SVG pictures of the timeline and the map; no script, no external
 * resource, every text from the scenario escaped).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alidade/drill.h"
#include "drill_run.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                      "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};
#define COLOR(k) palette[(k) % (sizeof palette / sizeof palette[0])]

static void iso(double wall, char out[32])
{
    time_t t = (time_t)floor(wall);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *stat_json(const struct drill_stat *s)
{
    return json_pack("{s:i,s:f,s:f,s:f}", "n", (json_int_t)s->n, "p50", s->p50, "p99", s->p99,
                     "max", s->max);
}

static bool write_score(const char *dir, const struct drill_result *r)
{
    const struct drill_scenario *sc = r->sc;
    const struct drill_score *s = &r->score;
    char t0[32];
    iso(r->wall0, t0);
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(sc->name));
    json_object_set_new(root, "title", json_string(sc->title));
    json_object_set_new(root, "seed", json_integer((json_int_t)sc->seed));
    json_object_set_new(root, "world_hours", json_real(sc->hours));
    json_object_set_new(root, "speed", json_real(sc->speed));
    json_object_set_new(root, "tolerance_s", json_real(sc->tolerance_s));
    json_object_set_new(root, "wall", json_pack("{s:s,s:f,s:f,s:f}", "start", t0, "feed_s",
                                                r->feed_s, "settle_s", r->settle_s, "total_s",
                                                r->total_s));
    json_object_set_new(root, "leaks", json_integer(s->leaks));
    json_t *leaked = json_array();
    for (size_t i = 0; i < r->narr; i++)
        if (r->leak[i])
            json_array_append_new(
                leaked, json_pack("{s:s,s:s,s:s,s:s}", "id", r->arr[i].id, "holder",
                                  sc->nations[r->arr[i].node].name, "origin",
                                  sc->nations[r->arr[i].pol.origin].name, "tlp",
                                  drill_tlp_name(r->arr[i].pol.tlp)));
    json_object_set_new(root, "leaked", leaked);
    json_object_set_new(root, "precision", json_real(s->precision));
    json_object_set_new(root, "recall", json_real(s->recall));
    json_t *dets = json_object();
    for (unsigned i = 0; i < s->nkinds; i++) {
        const struct drill_kind_score *k = &s->kinds[i];
        json_object_set_new(
            dets, k->kind,
            json_pack("{s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:o}", "planted", (json_int_t)k->planted,
                      "found", (json_int_t)k->found, "detections", (json_int_t)k->detections,
                      "correct", (json_int_t)k->correct, "explained",
                      (json_int_t)k->explained, "precision", k->precision, "recall", k->recall,
                      "time_to_detect_s", stat_json(&k->ttd_s)));
    }
    json_object_set_new(root, "detectors", dets);
    json_t *nats = json_object();
    for (unsigned k = 0; k < sc->nnations; k++) {
        const struct drill_nation_score *n = &s->nations[k];
        json_object_set_new(
            nats, sc->nations[k].name,
            json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:f,s:f,s:o,s:i,s:i,s:i,s:i,s:I,s:I,s:i}",
                      "identity", sc->nations[k].identity, "expected", (json_int_t)n->expected,
                      "found", (json_int_t)n->found, "detections", (json_int_t)n->detections,
                      "correct", (json_int_t)n->correct, "explained", (json_int_t)n->explained,
                      "precision", n->precision, "recall", n->recall, "time_to_detect_s",
                      stat_json(&n->ttd_s), "received", (json_int_t)n->received, "leaks",
                      (json_int_t)n->leaks, "objects_held", (json_int_t)r->held[k],
                      "objects_visible_over_taxii", (json_int_t)r->taxii_visible[k],
                      "ais_lines_fed", (json_int_t)r->fed_lines[k], "log_lines_fed",
                      (json_int_t)r->log_lines[k], "indicators",
                      (json_int_t)r->indicators[k]));
    }
    for (unsigned k = 0; k < sc->nnations; k++)
        json_object_set_new(json_object_get(nats, sc->nations[k].name), "sync_errors",
                            r->sync_errors[k] < 0 ? json_null()
                                                  : json_integer((json_int_t)r->sync_errors[k]));
    json_object_set_new(root, "nations", nats);
    json_object_set_new(root, "arrivals", json_integer(s->arrivals));
    json_object_set_new(root, "share_latency_s", stat_json(&s->share_latency_s));
    json_t *pairs = json_array();
    for (unsigned o = 0; o < sc->nnations; o++)
        for (unsigned h = 0; h < sc->nnations; h++)
            if (s->pairs[o][h].latency_s.n) {
                json_t *p = stat_json(&s->pairs[o][h].latency_s);
                json_object_set_new(p, "from", json_string(sc->nations[o].name));
                json_object_set_new(p, "to", json_string(sc->nations[h].name));
                json_array_append_new(pairs, p);
            }
    json_object_set_new(root, "share_latency_by_pair", pairs);
    char path[4096];
    snprintf(path, sizeof path, "%s/score.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(root);
    return rc == 0;
}

/* ---- the truth table both reports show ---- */

/* First detection of truth i by an expected nation, and by whom: the
 * matching is the scorer's (same kind, vessels or indicator, times within
 * the tolerance). */
static bool first_detection(const struct drill_result *r, size_t i, double *wall, unsigned *who,
                            uint32_t *by)
{
    *wall = INFINITY;
    *by = 0;
    for (size_t j = 0; j < r->ndet; j++) {
        const struct drill_det *d = &r->det[j];
        if (r->match[j] != (long)i)
            continue;
        *by |= 1u << d->node;
        if (d->added_wall < *wall) {
            *wall = d->added_wall;
            *who = d->node;
        }
    }
    return *wall < INFINITY;
}

/* Every detection with what the scorer made of it, for the analyst. */
static bool write_detections(const char *dir, const struct drill_result *r)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/detections.jsonl", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    for (size_t j = 0; j < r->ndet; j++) {
        const struct drill_det *d = &r->det[j];
        long m = r->match[j];
        const char *verdict = m < 0 ? "false" : r->truth[m].artifact ? "explained"
                              : r->truth[m].expect & (1u << d->node) ? "correct"
                                                                     : "correct-unexpected";
        char s0[32], s1[32], ad[32];
        iso((double)d->start, s0);
        iso((double)d->end, s1);
        iso(d->added_wall, ad);
        json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:s,s:s,s:s,s:f,s:s}", "nation",
                              r->sc->nations[d->node].name, "kind", d->kind, "mmsi",
                              (json_int_t)d->mmsi, "mmsi2", (json_int_t)d->mmsi2, "ref", d->ref,
                              "start", s0, "end", s1, "added_wall", d->added_wall, "verdict",
                              verdict);
        char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (t)
            fprintf(f, "%s\n", t);
        free(t);
        json_decref(o);
    }
    return fclose(f) == 0;
}

static void nations_of(const struct drill_scenario *sc, uint32_t mask, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (unsigned k = 0; k < sc->nnations && n < cap; k++)
        if (mask & (1u << k))
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", sc->nations[k].name);
    if (!n)
        snprintf(out, cap, "-");
}

static void what(const struct drill_truth *t, char *out, size_t cap)
{
    if (t->ref[0])
        snprintf(out, cap, "%s", t->ref);
    else if (t->mmsi2)
        snprintf(out, cap, "%u + %u", t->mmsi, t->mmsi2);
    else
        snprintf(out, cap, "%u", t->mmsi);
}

static bool write_md(const char *dir, const struct drill_result *r)
{
    const struct drill_scenario *sc = r->sc;
    const struct drill_score *s = &r->score;
    char path[4096], t0[32];
    snprintf(path, sizeof path, "%s/report.md", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    iso(r->wall0, t0);
    fprintf(f, "# After-action report: %s\n\n", sc->title);
    fprintf(f, "Scenario `%s` (%s), seed %llu: %u nations, %u agreements, %u intrusions, "
               "%u normal vessels and the planted ones, %.0f h of world fed at %.0fx from %s "
               "(%.1f s), then %.0f s to settle; whole run %.1f s.\n\n",
            sc->name, r->scenario_path, (unsigned long long)sc->seed, sc->nnations,
            sc->nagreements, sc->nintrusions, sc->vessels, sc->hours, sc->speed, t0, r->feed_s,
            r->settle_s, r->total_s);
    fprintf(f, "## Summary\n\n| figure | value |\n|---|---|\n");
    fprintf(f, "| leaks (objects held where the policy forbids) | **%u** |\n", s->leaks);
    fprintf(f, "| precision (all detectors) | %.3f |\n| recall (all detectors) | %.3f |\n",
            s->precision, s->recall);
    fprintf(f, "| objects shared (held by a nation other than their maker) | %u |\n",
            s->arrivals);
    fprintf(f, "| share latency p50 / p99 / max | %.2f / %.2f / %.2f s (%u) |\n\n",
            s->share_latency_s.p50, s->share_latency_s.p99, s->share_latency_s.max,
            s->share_latency_s.n);
    fprintf(f, "## Per detector\n\n| detector | planted | found | detections | correct | "
               "explained by coverage | precision | recall | time to detect p50 / max |\n"
               "|---|---|---|---|---|---|---|---|---|\n");
    for (unsigned i = 0; i < s->nkinds; i++) {
        const struct drill_kind_score *k = &s->kinds[i];
        fprintf(f, "| %s | %u | %u | %u | %u | %u | %.3f | %.3f | %.2f / %.2f s |\n", k->kind,
                k->planted, k->found, k->detections, k->correct, k->explained, k->precision,
                k->recall, k->ttd_s.p50, k->ttd_s.max);
    }
    fprintf(f, "\n## Per nation\n\n| nation | expected | found | detections | correct | "
               "precision | recall | time to detect p50 | received | leaks | objects held | "
               "AIS lines | log lines | indicators | sync errors |\n"
               "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (unsigned k = 0; k < sc->nnations; k++) {
        const struct drill_nation_score *n = &s->nations[k];
        char se[32] = "-";
        if (r->sync_errors[k] >= 0)
            snprintf(se, sizeof se, "%lld", r->sync_errors[k]);
        fprintf(f, "| %s | %u | %u | %u | %u | %.3f | %.3f | %.2f s | %u | %u | %u | %llu | "
                   "%llu | %u | %s |\n",
                sc->nations[k].name, n->expected, n->found, n->detections, n->correct,
                n->precision, n->recall, n->ttd_s.p50, n->received, n->leaks, r->held[k],
                r->fed_lines[k], r->log_lines[k], r->indicators[k], se);
    }
    fprintf(f, "\n## Planted events\n\n| kind | vessel(s) or indicator | world time | "
               "expected of | found by | first detection after the event |\n"
               "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < r->ntruth; i++) {
        const struct drill_truth *t = &r->truth[i];
        if (t->artifact)
            continue;
        char w[128], exp[512], by[512], ts[32];
        double first;
        unsigned who = 0;
        uint32_t bym;
        what(t, w, sizeof w);
        nations_of(sc, t->expect, exp, sizeof exp);
        bool found = first_detection(r, i, &first, &who, &bym);
        nations_of(sc, bym, by, sizeof by);
        iso((double)t->start, ts);
        if (found)
            fprintf(f, "| %s | %s | %s | %s | %s | %.2f s (%s) |\n", t->kind, w, ts, exp, by,
                    first - drill_wall_of(sc, r->wall0, t->end), sc->nations[who].name);
        else
            fprintf(f, "| %s | %s | %s | %s | - | **missed** |\n", t->kind, w, ts, exp);
    }
    fprintf(f, "\n## Sharing delays (date_added at the holder minus at the maker)\n\n"
               "| from | to | objects | p50 | p99 | max |\n|---|---|---|---|---|---|\n");
    for (unsigned o = 0; o < sc->nnations; o++)
        for (unsigned h = 0; h < sc->nnations; h++) {
            const struct drill_stat *st = &s->pairs[o][h].latency_s;
            if (st->n)
                fprintf(f, "| %s | %s | %u | %.2f s | %.2f s | %.2f s |\n", sc->nations[o].name,
                        sc->nations[h].name, st->n, st->p50, st->p99, st->max);
        }
    if (s->leaks) {
        fprintf(f, "\n## Leaks\n\n| object | held by | made by | TLP |\n|---|---|---|---|\n");
        for (size_t i = 0; i < r->narr; i++)
            if (r->leak[i])
                fprintf(f, "| %s | %s | %s | %s |\n", r->arr[i].id,
                        sc->nations[r->arr[i].node].name,
                        sc->nations[r->arr[i].pol.origin].name,
                        drill_tlp_name(r->arr[i].pol.tlp));
    } else {
        fprintf(f, "\n## Leaks\n\nNone: every object held by a nation other than its maker "
                   "came through an agreement that allows it (TLP 2.0: AMBER and RED never "
                   "beyond the first hop, RED only to named recipients).\n");
    }
    fprintf(f, "\nDefinitions: docs/drill.md. Files: score.json (the same figures), "
               "report.html, world/truth.jsonl.\n");
    return fclose(f) == 0;
}

/* ---- HTML ---- */

static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            /* indicator URLs are shown defanged: text, never a reference */
            if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0) {
                fputs("hxxp", f);
                s += 3;
            } else {
                fputc(*s, f);
            }
        }
    }
}

static void svg_timeline(FILE *f, const struct drill_result *r)
{
    const struct drill_scenario *sc = r->sc;
    size_t rows = 0;
    for (size_t i = 0; i < r->ntruth; i++)
        rows += !r->truth[i].artifact;
    const double W = 960, L = 250, R = 20, top = 30, rowh = 20;
    double H = top + rowh * (double)rows + 30, span = sc->hours * 3600;
    fprintf(f, "<svg width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"timeline\">\n",
            W, H, W, H);
    for (int hh = 0; hh <= (int)sc->hours; hh += 6) {
        double x = L + (W - L - R) * hh * 3600 / span;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" class=\"grid\"/>"
                   "<text x=\"%.1f\" y=\"18\" class=\"ax\">+%dh</text>\n",
                x, top - 5, x, H - 25, x - 8, hh);
    }
    size_t row = 0;
    for (size_t i = 0; i < r->ntruth; i++) {
        const struct drill_truth *t = &r->truth[i];
        if (t->artifact)
            continue;
        double y = top + rowh * (double)row++;
        double x0 = L + (W - L - R) * (double)(t->start - sc->start_s) / span;
        double x1 = L + (W - L - R) * (double)(t->end - sc->start_s) / span;
        if (x1 - x0 < 4)
            x1 = x0 + 4;
        char w[128];
        what(t, w, sizeof w);
        double first;
        unsigned who = 0;
        uint32_t by;
        bool found = first_detection(r, i, &first, &who, &by);
        fprintf(f, "<text x=\"4\" y=\"%.0f\" class=\"lb\">", y + 13);
        esc(f, t->kind);
        fputs(" ", f);
        esc(f, w);
        fprintf(f, "</text><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"12\" "
                   "class=\"%s\"><title>",
                x0, y + 3, x1 - x0, found ? "ev found" : "ev missed");
        esc(f, t->kind);
        fprintf(f, " %s</title></rect>\n", found ? "found" : "missed");
        if (found) {
            /* the detection's wall time back on the world's clock */
            double tw = (first - r->wall0) * sc->speed;
            double xd = L + (W - L - R) * tw / span;
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.0f\" r=\"5\" fill=\"%s\"><title>detected by ",
                    xd, y + 9, COLOR(who));
            esc(f, sc->nations[who].name);
            fprintf(f, " %.2f s after the event</title></circle>\n",
                    first - drill_wall_of(sc, r->wall0, t->end));
        }
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" class=\"ax\">world time (hours after the start); "
               "bar: planted event (grey: missed); dot: first detection, coloured by "
               "nation</text>\n</svg>\n", L, H - 8);
}

static void svg_map(FILE *f, const struct drill_result *r)
{
    const struct drill_scenario *sc = r->sc;
    double la0 = r->world_lat[0], la1 = r->world_lat[1], lo0 = r->world_lon[0],
           lo1 = r->world_lon[1];
    if (!isfinite(la0)) {
        la0 = 0;
        la1 = 10;
        lo0 = -50;
        lo1 = -40;
    }
    for (unsigned k = 0; k < sc->nnations; k++)
        for (unsigned a = 0; a < sc->nations[k].nareas; a++) {
            const struct drill_area *ar = &sc->nations[k].areas[a];
            la0 = fmin(la0, ar->s);
            la1 = fmax(la1, ar->n);
            lo0 = fmin(lo0, ar->w);
            lo1 = fmax(lo1, ar->e);
        }
    la0 -= 0.5;
    la1 += 0.5;
    lo0 -= 0.5;
    lo1 += 0.5;
    const double W = 960;
    double kx = W / (lo1 - lo0), H = (la1 - la0) * kx;
    if (H > 700) {
        kx *= 700 / H;
        H = 700;
    }
#define X(lon) (((lon) - lo0) * kx)
#define Y(lat) ((la1 - (lat)) * kx)
    fprintf(f, "<svg width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"map\">\n"
               "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" class=\"sea\"/>\n",
            X(lo1), H, X(lo1), H, X(lo1), H);
    for (int lat = (int)ceil(la0); lat <= (int)floor(la1); lat++)
        fprintf(f, "<line x1=\"0\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                   "<text x=\"2\" y=\"%.1f\" class=\"ax\">%d&#176;%c</text>\n",
                Y(lat), X(lo1), Y(lat), Y(lat) - 2, abs(lat), lat >= 0 ? 'N' : 'S');
    for (int lon = (int)ceil(lo0); lon <= (int)floor(lo1); lon++)
        fprintf(f, "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" class=\"ax\">%d&#176;%c</text>\n",
                X(lon), X(lon), H, X(lon) + 2, H - 4, abs(lon), lon >= 0 ? 'E' : 'W');
    /* the zone of the world (lib/sim: "Drill MPA") */
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"zone\">"
               "<title>Drill MPA</title></rect>\n",
            X(-48.9), Y(6.7), (0.6) * kx, (0.5) * kx);
    for (unsigned k = 0; k < sc->nnations; k++)
        for (unsigned a = 0; a < sc->nations[k].nareas; a++) {
            const struct drill_area *ar = &sc->nations[k].areas[a];
            if (ar->polygon) {
                fputs("<polygon points=\"", f);
                for (unsigned v = 0; v < ar->nv; v++)
                    fprintf(f, "%.1f,%.1f ", X(ar->lon[v]), Y(ar->lat[v]));
                fprintf(f, "\" fill=\"%s\" stroke=\"%s\" class=\"cov\">", COLOR(k), COLOR(k));
            } else {
                fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                           "fill=\"%s\" stroke=\"%s\" class=\"cov\">",
                        X(ar->w), Y(ar->n), (ar->e - ar->w) * kx, (ar->n - ar->s) * kx,
                        COLOR(k), COLOR(k));
            }
            fputs("<title>AIS coverage of ", f);
            esc(f, sc->nations[k].name);
            fprintf(f, "</title></%s>\n", ar->polygon ? "polygon" : "rect");
        }
    for (size_t i = 0; i < r->ntruth; i++) {
        const struct drill_truth *t = &r->truth[i];
        if (t->artifact || isnan(t->lat))
            continue;
        double first;
        unsigned who = 0;
        uint32_t by;
        bool found = first_detection(r, i, &first, &who, &by);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" class=\"%s\"%s%s%s><title>",
                X(t->lon), Y(t->lat), found ? "pf" : "pm", found ? " fill=\"" : "",
                found ? COLOR(who) : "", found ? "\"" : "");
        esc(f, t->kind);
        fprintf(f, " MMSI %u %s</title></circle>\n<text x=\"%.1f\" y=\"%.1f\" class=\"lb\">",
                t->mmsi, found ? "found" : "missed", X(t->lon) + 8, Y(t->lat) + 4);
        esc(f, t->kind);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
#undef X
#undef Y
}

static bool write_html(const char *dir, const struct drill_result *r)
{
    const struct drill_scenario *sc = r->sc;
    const struct drill_score *s = &r->score;
    char path[4096], t0[32];
    snprintf(path, sizeof path, "%s/report.html", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    iso(r->wall0, t0);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Drill: ",
          f);
    esc(f, sc->title);
    fputs("</title>\n<style>\n"
          "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}\n"
          "table{border-collapse:collapse;margin:8px 0 18px}td,th{border:1px solid #ccc;"
          "padding:3px 7px;text-align:right}th{background:#f3f3f3}td:first-child,"
          "th:first-child{text-align:left}\n.big{font-size:20px;font-weight:600}"
          ".ok{color:#1a7f37}.bad{color:#c62828}\n"
          "svg{border:1px solid #ccc;background:#fff;margin:6px 0}.grid{stroke:#e4e4e4}"
          ".ax{font-size:10px;fill:#666}.lb{font-size:11px;fill:#222}\n"
          ".ev.found{fill:#9ecae1}.ev.missed{fill:#bbb}.sea{fill:#eef5fb}"
          ".cov{fill-opacity:.10;stroke-width:1.5}.zone{fill:#fdd;stroke:#c62828}"
          ".pf{stroke:#000}.pm{fill:#fff;stroke:#c62828;stroke-width:2}\n"
          "</style></head><body>\n<h1>After-action report: ", f);
    esc(f, sc->title);
    fprintf(f, "</h1>\n<p>Scenario <code>");
    esc(f, sc->name);
    fprintf(f, "</code>, seed %llu: %u nations, %u agreements, %u intrusions, %u normal "
               "vessels and the planted ones; %.0f h of world fed at %.0fx from %s (%.1f s), "
               "%.0f s to settle, whole run %.1f s.</p>\n",
            (unsigned long long)sc->seed, sc->nnations, sc->nagreements, sc->nintrusions,
            sc->vessels, sc->hours, sc->speed, t0, r->feed_s, r->settle_s, r->total_s);
    fprintf(f, "<p class=\"big\">Leaks: <span class=\"%s\">%u</span> &#183; precision %.3f "
               "&#183; recall %.3f &#183; share latency p50 %.2f s, p99 %.2f s (%u objects)"
               "</p>\n",
            s->leaks ? "bad" : "ok", s->leaks, s->precision, s->recall,
            s->share_latency_s.p50, s->share_latency_s.p99, s->share_latency_s.n);
    fputs("<h2>Timeline</h2>\n", f);
    svg_timeline(f, r);
    fputs("<h2>Map: AIS coverage and planted events</h2>\n", f);
    svg_map(f, r);
    fputs("<h2>Per detector</h2>\n<table><tr><th>detector</th><th>planted</th><th>found</th>"
          "<th>detections</th><th>correct</th><th>explained by coverage</th><th>precision</th>"
          "<th>recall</th><th>time to detect p50</th><th>max</th></tr>\n", f);
    for (unsigned i = 0; i < s->nkinds; i++) {
        const struct drill_kind_score *k = &s->kinds[i];
        fputs("<tr><td>", f);
        esc(f, k->kind);
        fprintf(f, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%.3f</td>"
                   "<td>%.3f</td><td>%.2f s</td><td>%.2f s</td></tr>\n",
                k->planted, k->found, k->detections, k->correct, k->explained, k->precision,
                k->recall, k->ttd_s.p50, k->ttd_s.max);
    }
    fputs("</table>\n<h2>Per nation</h2>\n<table><tr><th>nation</th><th>expected</th>"
          "<th>found</th><th>detections</th><th>correct</th><th>precision</th><th>recall</th>"
          "<th>time to detect p50</th><th>received</th><th>leaks</th><th>objects held</th>"
          "<th>AIS lines</th><th>log lines</th></tr>\n", f);
    for (unsigned k = 0; k < sc->nnations; k++) {
        const struct drill_nation_score *n = &s->nations[k];
        fprintf(f, "<tr><td><span style=\"color:%s\">&#9632;</span> ", COLOR(k));
        esc(f, sc->nations[k].name);
        fprintf(f, "</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%.3f</td><td>%.3f</td>"
                   "<td>%.2f s</td><td>%u</td><td class=\"%s\">%u</td><td>%u</td><td>%llu</td>"
                   "<td>%llu</td></tr>\n",
                n->expected, n->found, n->detections, n->correct, n->precision, n->recall,
                n->ttd_s.p50, n->received, n->leaks ? "bad" : "ok", n->leaks, r->held[k],
                r->fed_lines[k], r->log_lines[k]);
    }
    fputs("</table>\n<h2>Sharing delays</h2>\n<p>date_added at the holder minus date_added at "
          "the maker, per pair.</p>\n<table><tr><th>from</th><th>to</th><th>objects</th>"
          "<th>p50</th><th>p99</th><th>max</th><th></th></tr>\n", f);
    double maxlat = s->share_latency_s.max > 0 ? s->share_latency_s.max : 1;
    for (unsigned o = 0; o < sc->nnations; o++)
        for (unsigned h = 0; h < sc->nnations; h++) {
            const struct drill_stat *st = &s->pairs[o][h].latency_s;
            if (!st->n)
                continue;
            fputs("<tr><td>", f);
            esc(f, sc->nations[o].name);
            fputs("</td><td>", f);
            esc(f, sc->nations[h].name);
            fprintf(f, "</td><td>%u</td><td>%.2f s</td><td>%.2f s</td><td>%.2f s</td><td>"
                       "<svg width=\"204\" height=\"12\"><rect x=\"0\" y=\"1\" width=\"%.1f\" "
                       "height=\"10\" fill=\"%s\"/></svg></td></tr>\n",
                    st->n, st->p50, st->p99, st->max, 200 * st->p50 / maxlat, COLOR(o));
        }
    fputs("</table>\n", f);
    if (s->leaks) {
        fputs("<h2 class=\"bad\">Leaks</h2>\n<table><tr><th>object</th><th>held by</th>"
              "<th>made by</th><th>TLP</th></tr>\n", f);
        for (size_t i = 0; i < r->narr; i++)
            if (r->leak[i]) {
                fputs("<tr><td>", f);
                esc(f, r->arr[i].id);
                fputs("</td><td>", f);
                esc(f, sc->nations[r->arr[i].node].name);
                fputs("</td><td>", f);
                esc(f, sc->nations[r->arr[i].pol.origin].name);
                fprintf(f, "</td><td>%s</td></tr>\n", drill_tlp_name(r->arr[i].pol.tlp));
            }
        fputs("</table>\n", f);
    }
    fputs("<p>Definitions: docs/drill.md. The same figures are in score.json.</p>\n"
          "</body></html>\n", f);
    return fclose(f) == 0;
}

bool drill_write_reports(const char *dir, const struct drill_result *r, char *err,
                         size_t errlen)
{
    if (!write_score(dir, r)) {
        snprintf(err, errlen, "%s/score.json: cannot write", dir);
        return false;
    }
    if (!write_md(dir, r)) {
        snprintf(err, errlen, "%s/report.md: cannot write", dir);
        return false;
    }
    if (!write_detections(dir, r)) {
        snprintf(err, errlen, "%s/detections.jsonl: cannot write", dir);
        return false;
    }
    if (!write_html(dir, r)) {
        snprintf(err, errlen, "%s/report.html: cannot write", dir);
        return false;
    }
    return true;
}
