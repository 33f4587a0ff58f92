/*
 * geofiles.c - the detectors' geography files (geofiles.h): where the
 * bundled coastline is, and one loader with the same checks and messages
 * for `ais detect` and live ingest.
 */
#include "geofiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"

bool geofiles_builtin_path(char *dst, size_t cap)
{
    static const char *const rel[] = {"/../data/", "/../../data/", "/../share/alidade/"};
    const char *env = getenv("ALIDADE_DATA");
    struct stat sb;
    if (env && *env) {
        snprintf(dst, cap, "%s/%s", env, GEOFILES_BUILTIN_SHORE);
        return stat(dst, &sb) == 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
            snprintf(dst, cap, "%s%s%s", exe, rel[i], GEOFILES_BUILTIN_SHORE);
            if (stat(dst, &sb) == 0)
                return true;
        }
    }
    snprintf(dst, cap, "data/%s", GEOFILES_BUILTIN_SHORE);
    return stat(dst, &sb) == 0;
}

det_geodata *geofiles_load(const char *opt, const char *path, char need, char *err,
                           size_t errlen)
{
    char why[512], where[4200];
    size_t len;
    if (strcmp(path, "builtin") == 0) {
        if (!geofiles_builtin_path(where, sizeof where)) {
            snprintf(err, errlen, "--%s builtin: %s not found (set ALIDADE_DATA to the "
                     "directory holding geo/)", opt, GEOFILES_BUILTIN_SHORE);
            return NULL;
        }
        path = where;
    }
    char *text = input_read_all(path, INPUT_SMALL_MAX, &len, why, sizeof why);
    det_geodata *g = text ? det_geo_parse(text, len, why, sizeof why) : NULL;
    free(text);
    if (!g) {
        snprintf(err, errlen, "--%s %s: %s", opt, path, why);
        return NULL;
    }
    struct det_geo_counts c = det_geo_count(g);
    const char *missing = need == 's' && c.segments == 0 ? "no lines or polygons"
                        : need == 'a' && c.points == 0  ? "no points"
                        : need == 'l' && c.rings == 0   ? "no polygons"
                                                        : NULL;
    if (missing) {
        snprintf(err, errlen, "--%s %s: %s", opt, path, missing);
        det_geo_free(g);
        return NULL;
    }
    return g;
}
