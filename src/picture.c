/*
 * picture.c - the live maritime picture (picture.h). Being written in this
 * session: until then it keeps nothing.
 */
#include <stdlib.h>

#include "picture.h"

struct picture {
    int unused;
};

picture *picture_new(size_t max_vessels, size_t track_points, size_t news_ring)
{
    (void)max_vessels;
    (void)track_points;
    (void)news_ring;
    return calloc(1, sizeof(picture));
}

void picture_free(picture *p)
{
    free(p);
}

void picture_position(picture *p, const struct pic_position *pos)
{
    (void)p;
    (void)pos;
}

void picture_static(picture *p, const struct pic_static *st)
{
    (void)p;
    (void)st;
}

uint64_t picture_news(picture *p, const char *kind, const char *json)
{
    (void)p;
    (void)kind;
    (void)json;
    return 0;
}

size_t picture_vessels(picture *p, double west, double south, double east, double north,
                       size_t limit, picture_vessel_fn fn, void *ctx)
{
    (void)p, (void)west, (void)south, (void)east, (void)north, (void)limit, (void)fn, (void)ctx;
    return 0;
}

bool picture_vessel(picture *p, uint32_t mmsi, int64_t since_us, int64_t until_us,
                    struct pic_static *st, struct pic_position *track, size_t cap, size_t *n)
{
    (void)p, (void)mmsi, (void)since_us, (void)until_us, (void)st, (void)track, (void)cap;
    *n = 0;
    return false;
}

size_t picture_count(picture *p)
{
    (void)p;
    return 0;
}

size_t picture_news_since(picture *p, uint64_t after, struct pic_news *out, size_t max,
                          int timeout_ms, bool *lost)
{
    (void)p, (void)after, (void)out, (void)max, (void)timeout_ms;
    *lost = false;
    return 0;
}

void picture_news_free(struct pic_news *n, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(n[i].json);
}

void picture_close(picture *p)
{
    (void)p;
}
