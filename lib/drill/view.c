/*
 * view.c - what each nation can see and may hold in a drill: its AIS
 * coverage (boxes and polygons over the one simulated world) and the
 * sharing policy the drill expects of the network, from the agreements and
 * TLP 2.0 (drill.h). The scorer calls an object held where this says no a
 * leak.
 */
#include <math.h>

#include "alidade/drill.h"

bool drill_area_contains(const struct drill_area *a, double lat, double lon)
{
    if (!(lat >= a->s && lat <= a->n && lon >= a->w && lon <= a->e))
        return false;
    if (!a->polygon)
        return true;
    /* even-odd rule: count crossings of a ray going east */
    bool in = false;
    for (unsigned i = 0, j = a->nv - 1; i < a->nv; j = i++) {
        double yi = a->lat[i], yj = a->lat[j], xi = a->lon[i], xj = a->lon[j];
        if ((yi > lat) != (yj > lat)) {
            double x = xi + (lat - yi) * (xj - xi) / (yj - yi);
            if (lon < x)
                in = !in;
            else if (lon == x)
                return true;                  /* on an edge */
        }
    }
    return in;
}

bool drill_sees(const struct drill_scenario *sc, unsigned k, double lat, double lon)
{
    if (k >= sc->nnations || isnan(lat) || isnan(lon))
        return false;
    const struct drill_nation *n = &sc->nations[k];
    for (unsigned i = 0; i < n->nareas; i++)
        if (drill_area_contains(&n->areas[i], lat, lon))
            return true;
    return false;
}

bool drill_may_reach(const struct drill_scenario *sc, const struct drill_obj_policy *o,
                     unsigned holder)
{
    if (holder == o->origin)
        return true;
    if (holder >= sc->nnations || o->origin >= sc->nnations)
        return false;
    if (o->has_groups && !(o->group_members & (1u << holder)))
        return false;
    /* first hop: a direct agreement from the origin */
    uint32_t reached = 0;
    for (unsigned i = 0; i < sc->nagreements; i++)
        if (sc->agreements[i].from == o->origin)
            reached |= 1u << sc->agreements[i].to;
    if (reached & (1u << holder)) {
        if (o->tlp < DRILL_TLP_RED)
            return true;
        if (o->recipients & (1u << holder))
            return true;
    }
    /* TLP 2.0: AMBER, AMBER+STRICT and RED are never forwarded to a third
     * party; CLEAR and GREEN go on where the forwarding agreement allows */
    if (o->tlp > DRILL_TLP_GREEN)
        return false;
    uint32_t frontier = reached & ~(1u << o->origin);
    uint32_t seen = reached | (1u << o->origin);
    while (frontier) {
        uint32_t next = 0;
        for (unsigned i = 0; i < sc->nagreements; i++) {
            const struct drill_agreement *a = &sc->agreements[i];
            if ((frontier & (1u << a->from)) && a->reshare && !(seen & (1u << a->to)))
                next |= 1u << a->to;
        }
        if (next & (1u << holder))
            return true;
        seen |= next;
        frontier = next;
    }
    return false;
}
