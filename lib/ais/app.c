/*
 * app.c - DAC/FI application-specific payloads of AIS binary messages
 * (type 6 addressed, type 8 broadcast) -> struct ais_app6 / ais_app8.
 *
 * Which DAC/FI are decoded, under which message lengths, and at which bit
 * offsets, follow gpsd 3.27's driver_ais.c, quirks included (e.g. type 6
 * DAC 1 FI 15 reads its air draught inside the destination MMSI), so that
 * `alidade ais decode` prints what gpsdecode prints; anything else stays raw
 * bits. Flat layouts are tables of {bit offset, width, kind, member};
 * repeated groups (tidal windows, cargos, waypoints, targets, gauges) are
 * element tables applied at each element's offset. Bit offsets are counted
 * from the start of the message, as in ITU-R M.1371 and the IMO circulars.
 */
#include <stddef.h>
#include <string.h>

#include "ais/bits.h"
#include "ais/internal.h"

enum kind { K_U, K_S, K_B, K_T };   /* unsigned, signed, bool, six-bit text */

struct field {
    uint16_t start;     /* first bit (relative to the element for groups) */
    uint8_t width;      /* bits; for K_T the number of characters */
    uint8_t kind;
    uint16_t off;       /* offsetof the member */
};

/* T names the struct the current table fills */
#define FU(s, w, m) { (s), (w), K_U, offsetof(T, m) }
#define FS(s, w, m) { (s), (w), K_S, offsetof(T, m) }
#define FB(s, m)    { (s), 1, K_B, offsetof(T, m) }
#define FT(s, n, m) { (s), (n), K_T, offsetof(T, m) }
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Fills the members of `dst` listed in f[0..n), fields read at base+start. */
static void unpack(void *dst, const struct field *f, size_t n,
                   const uint8_t *bits, size_t base)
{
    char *d = dst;
    for (; n > 0; n--, f++) {
        size_t at = base + f->start;
        void *m = d + f->off;
        switch (f->kind) {
        case K_U:
            *(unsigned *)m = (unsigned)ais_ubits(bits, at, f->width);
            break;
        case K_S:
            *(int *)m = (int)ais_sbits(bits, at, f->width);
            break;
        case K_B:
            *(bool *)m = ais_ubits(bits, at, 1) != 0;
            break;
        default:
            ais_sixbit(bits, at, f->width, m, (size_t)f->width + 1, 1);
            break;
        }
    }
}

/* ---- type 6 layouts ---- */

#define T struct ais_dac200fid21
static const struct field d200f21[] = {
    FT(88, 2, country), FT(100, 3, locode), FT(118, 5, section),
    FT(148, 5, terminal), FT(178, 5, hectometre),
    FU(208, 4, eta.month), FU(212, 5, eta.day), FU(217, 5, eta.hour),
    FU(222, 6, eta.minute), FU(228, 3, tugs), FU(231, 12, airdraught),
};
#undef T

#define T struct ais_dac200fid22
static const struct field d200f22[] = {
    FT(88, 2, country), FT(100, 3, locode), FT(118, 5, section),
    FT(148, 5, terminal), FT(178, 5, hectometre),
    FU(208, 4, rta.month), FU(212, 5, rta.day), FU(217, 5, rta.hour),
    FU(222, 6, rta.minute), FU(228, 2, status),
};
#undef T

#define T struct ais_dac200fid55
static const struct field d200f55[] = {
    FU(88, 8, crew), FU(96, 13, passengers), FU(109, 8, personnel),
};
#undef T

#define T struct ais_dac235fid10
static const struct field d235f10[] = {
    FU(88, 10, ana_int), FU(98, 10, ana_ext1), FU(108, 10, ana_ext2),
    FU(118, 2, racon), FU(120, 2, light), FB(122, alarm),
    FU(123, 8, stat_ext), FB(131, off_pos),
};
#undef T

#define T struct ais_dac1fid12
static const struct field d1f12[] = {
    FT(88, 5, lastport),
    FU(118, 4, departure.month), FU(122, 5, departure.day),
    FU(127, 5, departure.hour), FU(132, 6, departure.minute),
    FT(138, 5, nextport),
    FU(168, 4, eta.month), FU(172, 5, eta.day),
    FU(177, 5, eta.hour), FU(182, 6, eta.minute),
    FT(188, 20, dangerous), FT(308, 4, imdcat),
    FU(332, 13, unid), FU(345, 10, amount), FU(355, 2, unit),
};
#undef T

#define T struct ais_dac1fid15
static const struct field d1f15[] = { FU(56, 11, airdraught) };
#undef T

#define T struct ais_dac1fid16
static const struct field d1f16_289[] = { FU(88, 13, persons) };
static const struct field d1f16_236[] = { FU(55, 13, persons) };
#undef T

#define T struct ais_dac1fid18
static const struct field d1f18[] = {
    FU(88, 10, linkage),
    FU(98, 4, arrival.month), FU(102, 5, arrival.day),
    FU(107, 5, arrival.hour), FU(112, 6, arrival.minute),
    FT(118, 20, portname), FT(238, 5, destination),
    FS(268, 25, lon), FS(293, 24, lat),
};
#undef T

#define T struct ais_dac1fid20
static const struct field d1f20[] = {
    FU(88, 10, linkage), FU(98, 9, berth_length), FU(107, 8, berth_depth),
    FU(115, 3, position),
    FU(118, 4, arrival.month), FU(122, 5, arrival.day),
    FU(127, 5, arrival.hour), FU(132, 6, arrival.minute),
    FU(138, 1, availability),
    FU(139, 2, agent), FU(141, 2, fuel), FU(143, 2, chandler),
    FU(145, 2, stevedore), FU(147, 2, electrical), FU(149, 2, water),
    FU(151, 2, customs), FU(153, 2, cartage), FU(155, 2, crane),
    FU(157, 2, lift), FU(159, 2, medical), FU(161, 2, navrepair),
    FU(163, 2, provisions), FU(165, 2, shiprepair), FU(167, 2, surveyor),
    FU(169, 2, steam), FU(171, 2, tugs), FU(173, 2, solidwaste),
    FU(175, 2, liquidwaste), FU(177, 2, hazardouswaste), FU(179, 2, ballast),
    FU(181, 2, additional), FU(183, 2, regional1), FU(185, 2, regional2),
    FU(187, 2, future1), FU(189, 2, future2),
    FT(191, 20, berth_name), FS(311, 25, berth_lon), FS(336, 24, berth_lat),
};
#undef T

#define T struct ais_dac1fid25
static const struct field d1f25[] = { FU(88, 2, unit), FU(90, 10, amount) };
#undef T
#define T struct ais_cargo
static const struct field cargo[] = { FU(0, 4, code), FU(4, 13, subtype) };
#undef T

/* route information: header at `h`, waypoints from h + 61 */
#define T struct ais_route
static const struct field route[] = {
    FU(0, 10, linkage), FU(10, 3, sender), FU(13, 5, rtype),
    FU(18, 4, start.month), FU(22, 5, start.day), FU(27, 5, start.hour),
    FU(32, 6, start.minute), FU(38, 18, duration), FU(56, 5, waycount),
};
#undef T
#define T struct ais_waypoint
static const struct field waypoint[] = { FS(0, 28, lon), FS(28, 27, lat) };
#undef T

#define T struct ais_tidal_window
static const struct field tidal_hdr[] = { FU(88, 4, month), FU(92, 5, day) };
#undef T
#define T struct ais_tidal
static const struct field tidal14[] = {         /* IMO236: 93 bits */
    FS(0, 27, lat), FS(27, 28, lon),
    FU(55, 5, from_hour), FU(60, 6, from_min),
    FU(66, 5, to_hour), FU(71, 6, to_min),
    FU(77, 9, cdir), FU(86, 7, cspeed),
};
static const struct field tidal32[] = {         /* IMO289: 88 bits */
    FS(0, 25, lon), FS(25, 24, lat),
    FU(49, 5, from_hour), FU(54, 6, from_min),
    FU(60, 5, to_hour), FU(65, 6, to_min),
    FU(71, 9, cdir), FU(80, 8, cspeed),
};
#undef T

/* ---- type 8 layouts ---- */

#define T struct ais_dac1fid11
static const struct field d1f11[] = {
    FS(56, 24, lat), FS(80, 25, lon),
    FU(105, 5, stamp.day), FU(110, 5, stamp.hour), FU(115, 6, stamp.minute),
    FU(121, 7, wspeed), FU(128, 7, wgust), FU(135, 9, wdir),
    FU(144, 9, wgustdir), FU(153, 11, airtemp), FU(164, 7, humidity),
    FU(171, 10, dewpoint), FU(181, 9, pressure), FU(190, 2, pressuretend),
    FU(192, 8, visibility), FU(200, 9, waterlevel), FU(209, 2, leveltrend),
    FU(211, 8, cspeed), FU(219, 9, cdir),
    FU(228, 8, cspeed2), FU(236, 9, cdir2), FU(245, 5, cdepth2),
    FU(250, 8, cspeed3), FU(258, 9, cdir3), FU(267, 5, cdepth3),
    FU(272, 8, waveheight), FU(280, 6, waveperiod), FU(286, 9, wavedir),
    FU(295, 8, swellheight), FU(303, 6, swellperiod), FU(309, 9, swelldir),
    FU(318, 4, seastate), FU(322, 10, watertemp), FU(332, 3, preciptype),
    FU(335, 9, salinity), FU(344, 2, ice),
};
#undef T

#define T struct ais_dac1fid13
static const struct field d1f13[] = {
    FT(56, 20, reason), FT(176, 20, closefrom), FT(296, 20, closeto),
    FU(416, 10, radius), FU(426, 2, extunit),
    FU(428, 5, from.day), FU(433, 4, from.month),
    FU(437, 5, from.hour), FU(442, 6, from.minute),
    FU(448, 5, to.day), FU(453, 4, to.month),
    FU(457, 5, to.hour), FU(462, 6, to.minute),
};
#undef T

#define T struct ais_dac1fid16
static const struct field d1f16_8_289[] = { FU(88, 13, persons) };
static const struct field d1f16_8_236[] = { FU(55, 13, persons) };
#undef T

#define T struct ais_vts_target
static const struct field target[] = {        /* after the 48-bit id */
    FS(48, 24, lat), FS(72, 25, lon), FU(97, 9, course),
    FU(106, 6, second), FU(112, 10, speed),
};
#undef T

#define T struct ais_dac1fid19
static const struct field d1f19[] = {
    FU(56, 10, linkage), FT(66, 20, station),
    FS(186, 25, lon), FS(211, 24, lat),
    FU(235, 2, status), FU(237, 5, signal), FU(242, 5, hour),
    FU(247, 6, minute), FU(253, 5, nextsignal),
};
#undef T

#define T struct ais_dac1fid31
static const struct field d1f31[] = {
    FS(56, 25, lon), FS(81, 24, lat), FB(105, accuracy),
    FU(106, 5, stamp.day), FU(111, 5, stamp.hour), FU(116, 6, stamp.minute),
    FU(122, 7, wspeed), FU(129, 7, wgust), FU(136, 9, wdir),
    FU(145, 9, wgustdir), FS(154, 11, airtemp), FU(165, 7, humidity),
    FS(172, 10, dewpoint), FU(182, 9, pressure), FU(191, 2, pressuretend),
    FB(193, visgreater), FU(194, 7, visibility), FU(201, 12, waterlevel),
    FU(213, 2, leveltrend), FU(215, 8, cspeed), FU(223, 9, cdir),
    FU(232, 8, cspeed2), FU(240, 9, cdir2), FU(249, 5, cdepth2),
    FU(254, 8, cspeed3), FU(262, 9, cdir3), FU(271, 5, cdepth3),
    FU(276, 8, waveheight), FU(284, 6, waveperiod), FU(290, 9, wavedir),
    FU(299, 8, swellheight), FU(307, 6, swellperiod), FU(313, 9, swelldir),
    FU(322, 4, seastate), FS(326, 10, watertemp), FU(336, 3, preciptype),
    FU(339, 9, salinity), FU(348, 2, ice),
};
#undef T

#define T struct ais_dac200fid10
static const struct field d200f10[] = {
    FT(56, 8, vin), FU(104, 13, length), FU(117, 10, beam),
    FU(127, 14, shiptype), FU(141, 3, hazard), FU(144, 11, draught),
    FU(155, 2, loaded), FB(157, speed_q), FB(158, course_q), FB(159, heading_q),
};
#undef T

#define T struct ais_dac200fid23
static const struct field d200f23[] = {
    FU(56, 8, start.year), FU(64, 4, start.month), FU(68, 5, start.day),
    FU(73, 8, end.year), FU(81, 4, end.month), FU(85, 5, end.day),
    FU(90, 5, start.hour), FU(95, 6, start.minute),
    FU(101, 5, end.hour), FU(106, 6, end.minute),
    FS(112, 28, start_lon), FS(140, 27, start_lat),
    FS(167, 28, end_lon), FS(195, 27, end_lat),
    FU(222, 4, type), FS(226, 9, min), FS(235, 9, max),
    FU(244, 2, intensity), FU(246, 4, wind),
};
#undef T

#define T struct ais_dac200fid24
static const struct field d200f24[] = { FT(56, 2, country) };
#undef T
#define T struct ais_gauge
static const struct field gauge[] = { FU(0, 11, id), FS(11, 14, level) };
#undef T

#define T struct ais_dac200fid40
static const struct field d200f40[] = {
    FS(56, 28, lon), FS(84, 27, lat), FU(111, 4, form),
    FU(115, 9, facing), FU(124, 3, direction), FU(127, 30, status),
};
#undef T

/* ---- repeated groups and checks (return false: not structured) ---- */

/* Tidal windows: gpsd decodes an element whenever it starts at or before
 * the end of the message, so a trailing partial element reads fill bits. */
static bool tidals(void *app, const uint8_t *bits, size_t bitlen,
                   const struct field *el, size_t nel, size_t size)
{
    struct ais_tidal_window *w = app;
    unsigned u;
    for (u = 0; u < AIS_TIDALS_MAX && 97 + size * u <= bitlen; u++)
        unpack(&w->tidals[u], el, nel, bits, 97 + size * u);
    w->ntidals = u;
    return true;
}

static bool tidals14(void *app, const uint8_t *bits, size_t bitlen)
{
    return tidals(app, bits, bitlen, tidal14, N(tidal14), 93);
}

static bool tidals32(void *app, const uint8_t *bits, size_t bitlen)
{
    return tidals(app, bits, bitlen, tidal32, N(tidal32), 88);
}

static bool cargos(void *app, const uint8_t *bits, size_t bitlen)
{
    struct ais_dac1fid25 *c = app;
    unsigned u;
    for (u = 0; u < AIS_DAC1FID25_CARGOS_MAX && 100 + 17 * (size_t)u < bitlen; u++)
        unpack(&c->cargos[u], cargo, N(cargo), bits, 100 + 17 * (size_t)u);
    c->ncargos = u;
    return true;
}

/* Route header at bit h; as many waypoints as waycount says. */
static bool route_at(void *app, const uint8_t *bits, size_t h)
{
    struct ais_route *r = app;
    unpack(r, route, N(route), bits, h);
    for (unsigned u = 0; u < r->waycount && u < AIS_ROUTE_WAYPOINTS_MAX; u++)
        unpack(&r->waypoints[u], waypoint, N(waypoint), bits, h + 61 + 55 * (size_t)u);
    return true;
}

static bool route6(void *app, const uint8_t *bits, size_t bitlen)
{
    (void)bitlen;
    return route_at(app, bits, 88);
}

static bool route8(void *app, const uint8_t *bits, size_t bitlen)
{
    (void)bitlen;
    return route_at(app, bits, 56);
}

/* Text description: linkage, then six-bit text to the end of the message. */
static bool text_at(void *app, const uint8_t *bits, size_t bitlen, size_t h)
{
    struct ais_app_text *t = app;
    t->linkage = (unsigned)ais_ubits(bits, h, 10);
    ais_endchars(bits, bitlen, h + 10, t->text, sizeof t->text);
    return true;
}

static bool text6(void *app, const uint8_t *bits, size_t bitlen)
{
    return text_at(app, bits, bitlen, 88);
}

static bool text8(void *app, const uint8_t *bits, size_t bitlen)
{
    return text_at(app, bits, bitlen, 56);
}

/* VTS targets of 122 bits: 2-bit id type, 42-bit id (a number, kept to 32
 * bits as gpsd does, or 7 six-bit characters), 4 spare, then the fixed part. */
static bool targets(void *app, const uint8_t *bits, size_t bitlen)
{
    struct ais_dac1fid17 *v = app;
    unsigned u;
    for (u = 0; u < AIS_TARGETS_MAX && 56 + 122 * (size_t)u <= bitlen; u++) {
        struct ais_vts_target *tg = &v->targets[u];
        size_t a = 56 + 122 * (size_t)u;
        tg->idtype = (unsigned)ais_ubits(bits, a, 2);
        if (tg->idtype < 2)
            tg->id = (unsigned)ais_ubits(bits, a + 2, 42);
        else
            ais_sixbit(bits, a + 2, 7, tg->id_text, sizeof tg->id_text, 1);
        unpack(tg, target, N(target), bits, a);
    }
    v->ntargets = u;
    return true;
}

/* gpsd keeps an inland static report only when the hazard code is known,
 * to tell it from other uses of DAC 200 FI 10. */
static bool inland_static(void *app, const uint8_t *bits, size_t bitlen)
{
    (void)bits;
    (void)bitlen;
    return ((struct ais_dac200fid10 *)app)->hazard <= 5;
}

static bool gauges(void *app, const uint8_t *bits, size_t bitlen)
{
    struct ais_dac200fid24 *g = app;
    unsigned u;
    for (u = 0; u < 4 && 68 + 25 * (size_t)u < bitlen; u++)
        unpack(&g->gauges[u], gauge, N(gauge), bits, 68 + 25 * (size_t)u);
    g->ngauges = u;
    return true;
}

/* ---- dispatch ---- */

struct layout {
    unsigned dac, fid;
    size_t bitlen;              /* message length required, 0: any */
    const struct field *f;      /* flat part (may be NULL) */
    size_t n;
    bool (*more)(void *app, const uint8_t *bits, size_t bitlen);
};

#define FLAT(t) (t), N(t)

/* First matching row wins. */
static const struct layout layouts6[] = {
    { 200, 21, 248, FLAT(d200f21), NULL },
    { 200, 22, 232, FLAT(d200f22), NULL },
    { 200, 55, 168, FLAT(d200f55), NULL },
    { 235, 10, 136, FLAT(d235f10), NULL },
    { 250, 10, 136, FLAT(d235f10), NULL },
    { 1, 12, 0, FLAT(d1f12), NULL },
    { 1, 14, 0, FLAT(tidal_hdr), tidals14 },
    { 1, 15, 0, FLAT(d1f15), NULL },
    { 1, 16, 88 + 136, FLAT(d1f16_289), NULL },
    { 1, 16, 0, FLAT(d1f16_236), NULL },
    { 1, 18, 0, FLAT(d1f18), NULL },
    { 1, 20, 0, FLAT(d1f20), NULL },
    { 1, 25, 0, FLAT(d1f25), cargos },
    { 1, 28, 0, NULL, 0, route6 },
    { 1, 30, 0, NULL, 0, text6 },
    { 1, 32, 0, FLAT(tidal_hdr), tidals32 },
};

static const struct layout layouts8[] = {
    { 1, 11, 0, FLAT(d1f11), NULL },
    { 1, 13, 0, FLAT(d1f13), NULL },
    { 1, 15, 0, FLAT(d1f15), NULL },
    { 1, 16, 56 + 136, FLAT(d1f16_8_289), NULL },
    { 1, 16, 56 + 72, FLAT(d1f16_8_236), NULL },
    { 1, 17, 0, NULL, 0, targets },
    { 1, 19, 0, FLAT(d1f19), NULL },
    { 1, 27, 0, NULL, 0, route8 },
    { 1, 29, 0, NULL, 0, text8 },
    { 1, 31, 0, FLAT(d1f31), NULL },
    { 200, 10, 168, FLAT(d200f10), inland_static },
    { 200, 23, 256, FLAT(d200f23), NULL },
    { 200, 24, 168, FLAT(d200f24), gauges },
    { 200, 40, 168, FLAT(d200f40), NULL },
};

static bool decode(const struct layout *l, size_t nl, unsigned dac, unsigned fid,
                   void *app, const uint8_t *bits, size_t bitlen)
{
    for (; nl > 0; nl--, l++) {
        if (l->dac != dac || l->fid != fid || (l->bitlen && l->bitlen != bitlen))
            continue;
        if (l->f)
            unpack(app, l->f, l->n, bits, 0);
        return l->more ? l->more(app, bits, bitlen) : true;
    }
    return false;
}

bool ais_app6_decode(struct ais_binmsg6 *t, const uint8_t *bits, size_t bitlen)
{
    memset(&t->app, 0, sizeof t->app);
    return decode(layouts6, N(layouts6), t->dac, t->fid, &t->app, bits, bitlen);
}

bool ais_app8_decode(struct ais_binmsg8 *t, const uint8_t *bits, size_t bitlen)
{
    memset(&t->app, 0, sizeof t->app);
    return decode(layouts8, N(layouts8), t->dac, t->fid, &t->app, bits, bitlen);
}
