/*
 * app_json.c - JSON members of decoded DAC/FI payloads (struct ais_app6 /
 * ais_app8), in gpsd's dialect: the member names, order, scaling, number
 * formats, partial-date spellings and legend texts of gpsdecode 3.27 -j and
 * -u -j.
 *
 * Each DAC/FI is a table of rows {key, format, member, scale}; repeated
 * groups print as JSON arrays of such rows. gpsd's quirks are kept where its
 * output is valid JSON (type 8 DAC 1 FI 16 always says "persons":0, EMMA
 * start times print the day last, DAC 1 FI 19 positions are scaled even
 * with -u, ...). Deliberate differences, only where gpsd's output is not
 * valid JSON:
 *   - DAC 1 FI 19: gpsd omits the comma before "nextsignal_text" and leaves
 *     the quotes of some signal legends unescaped; we don't.
 *   - six-bit text is always escaped ('"' and '\' are six-bit characters);
 *     gpsd prints the Inland AIS text members (country, locode, section,
 *     terminal, hectometre) raw.
 */
#include <stddef.h>

#include "ais/internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define LIT(x) SB_LIT(sb, x)

/* Code -> text; codes past the table print `invalid`. */
struct legend {
    const char *const *names;
    unsigned n;
    const char *invalid;
};

enum jfmt {
    J_U,        /* unsigned */
    J_I,        /* signed */
    J_B,        /* bool member: true/false */
    J_STR,      /* text */
    J_SCALE,    /* scaled: (v + bias) / div with dec decimals; raw: the integer */
    J_SCALE_ALWAYS, /* as J_SCALE, scaled in both modes */
    J_LEG,      /* code, then "<key>_text" (both modes) */
    J_LEG_S,    /* scaled: the legend text only; raw: the code */
    J_ANA,      /* scaled and non-zero: v * 0.05 with 2 decimals; else integer */
    J_WL31,     /* DAC 1 FI 31 water level (see j_wl31) */
    J_SHIP200,  /* inland ERI ship type code, then "shiptype_text" */
    J_MDHM,     /* ais_app_time: "MM-DDTHH:MMZ" */
    J_MDHM_RAW, /* ais_app_time: "M-DTH:M" (no padding, no Z) */
    J_MDHM_NOZ, /* ais_app_time: "MM-DDTHH:MM" */
    J_DHM,      /* ais_app_dhm: "DDTHH:MMZ" */
    J_EMMA,     /* ais_emma_time: "YYYY-MM-DDTHH:MM" */
    J_EMMA_START, /* ais_emma_time as gpsd prints EMMA start times (see j_emma) */
};

struct jrow {
    const char *key;
    uint8_t fmt;
    bool sgn;                   /* member is int, not unsigned */
    uint16_t off;               /* offsetof the member */
    int32_t bias;
    uint32_t div;
    uint8_t dec;
    const struct legend *leg;
};

/* T names the struct the current table prints */
#define RU(k, m) { .key = k, .fmt = J_U, .off = offsetof(T, m) }
#define RI(k, m) { .key = k, .fmt = J_I, .sgn = true, .off = offsetof(T, m) }
#define RB(k, m) { .key = k, .fmt = J_B, .off = offsetof(T, m) }
#define RS(k, m) { .key = k, .fmt = J_STR, .off = offsetof(T, m) }
#define RF(k, f, m) { .key = k, .fmt = f, .off = offsetof(T, m) }
/* unsigned / signed member scaled as (v + b) / d with n decimals */
#define RSC(k, m, b, d, n) { .key = k, .fmt = J_SCALE, .off = offsetof(T, m), \
                             .bias = b, .div = d, .dec = n }
#define RSCI(k, m, b, d, n) { .key = k, .fmt = J_SCALE, .sgn = true, .off = offsetof(T, m), \
                              .bias = b, .div = d, .dec = n }
#define RL(k, m, l) { .key = k, .fmt = J_LEG, .off = offsetof(T, m), .leg = &(l) }
#define RLS(k, m, l) { .key = k, .fmt = J_LEG_S, .off = offsetof(T, m), .leg = &(l) }
/* positions in 1/1000 minute (degrees, 6 decimals) and 1/10000 minute (7) */
#define RLL3(k, m) RSCI(k, m, 0, 60000, 6)
#define RLL4(k, m) RSCI(k, m, 0, 600000, 7)
#define RTENTH(k, m) RSC(k, m, 0, 10, 1)

/* ---- legends (gpsd's wording) ---- */

#define LEG(name, inv, ...)                                              \
    static const char *const name##_names[] = { __VA_ARGS__ };          \
    static const struct legend name = { name##_names, N(name##_names), inv }

LEG(trends, "", "steady", "increasing", "decreasing", "N/A");
LEG(preciptypes, "", "reserved", "rain", "thunderstorm", "freezing rain",
    "mixed/ice", "snow", "reserved", "N/A");
LEG(ice, "", "no", "yes", "reserved", "N/A");
LEG(racon, "", "No RACON installed", "RACON not monitored", "RACON operational",
    "RACON ERROR");
LEG(light, "", "No light or no monitoring", "Light ON", "Light OFF", "Light ERROR");
LEG(rta_status, "", "Operational", "Limited operation", "Out of order", "N/A");
LEG(positions, "", "Not available", "Port-side to", "Starboard-side to",
    "Mediterranean (end-on) mooring", "Mooring buoy", "Anchorage",
    "Reserved for future use", "Reserved for future use");
#define RES "Reserved for future use."
LEG(route_types, "", "Undefined (default)", "Mandatory", "Recommended",
    "Alternative", "Recommended route through ice", "Ship route plan",
    RES, RES, RES, RES, RES, RES, RES, RES, RES, RES, RES, RES, RES, RES,
    RES, RES, RES, RES, RES, RES, RES, RES, RES, RES, RES,
    "Cancel route identified by message linkage");
#undef RES
LEG(idtypes, "", "mmsi", "imo", "callsign", "other");
LEG(signals, "INVALID SIGNAL TYPE", "N/A",
    "Serious emergency - stop or divert according to instructions.",
    "Vessels shall not proceed.",
    "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.",
    "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    "I = \"in-bound\" only acceptable.",
    "O = \"out-bound\" only acceptable.",
    "F = both \"in- and out-bound\" acceptable.",
    "XI = Code will shift to \"I\" in due time.",
    "XO = Code will shift to \"O\" in due time.",
    "X = Vessels shall proceed only on direction.");
LEG(hazards, "INVALID HAZARD TYPE", "0 blue cones/lights", "1 blue cone/light",
    "2 blue cones/lights", "3 blue cones/lights", "4 B-Flag", "Unknown");
LEG(load_status, "INVALID LOAD STATUS", "N/A (default)", "Unloaded", "Loaded");
LEG(emma_types, "INVALID EMMA TYPE", "Not Available", "Wind", "Rain",
    "Snow and ice", "Thunderstorm", "Fog", "Low temperature",
    "High temperature", "Flood", "Forest Fire");
LEG(emma_classes, "INVALID EMMA TYPE", "Slight", "Medium", "Strong");
LEG(emma_winds, "INVALID EMMA WIND DIRECTION", "N/A", "North", "North East",
    "East", "South East", "South", "South West", "West", "North West");
LEG(directions, "INVALID DIRECTION", "Unknown", "Upstream", "Downstream",
    "To left bank", "To right bank");
LEG(light_status, "INVALID STATUS", "Unknown", "No light", "White", "Yellow",
    "Green", "Red", "White flashing", "Yellow flashing.");

static const char *legend_text(const struct legend *l, unsigned v)
{
    return v < l->n ? l->names[v] : l->invalid;
}

/* Inland (ERI) ship types: gpsd matches either the ERI code or the AIS
 * type it maps to, first row wins. */
static const struct {
    unsigned code, ais;
    const char *text;
} eri_types[] = {
    {8000, 99, "Vessel, type unknown"},
    {8010, 79, "Motor freighter"},
    {8020, 89, "Motor tanker"},
    {8021, 80, "Motor tanker, liquid cargo, type N"},
    {8022, 80, "Motor tanker, liquid cargo, type C"},
    {8023, 89, "Motor tanker, dry cargo as if liquid (e.g. cement)"},
    {8030, 79, "Container vessel"},
    {8040, 80, "Gas tanker"},
    {8050, 79, "Motor freighter, tug"},
    {8060, 89, "Motor tanker, tug"},
    {8070, 79, "Motor freighter with one or more ships alongside"},
    {8080, 89, "Motor freighter with tanker"},
    {8090, 79, "Motor freighter pushing one or more freighters"},
    {8100, 89, "Motor freighter pushing at least one tank-ship"},
    {8110, 79, "Tug, freighter"},
    {8120, 89, "Tug, tanker"},
    {8130, 31, "Tug freighter, coupled"},
    {8140, 31, "Tug, freighter/tanker, coupled"},
    {8150, 99, "Freightbarge"},
    {8160, 99, "Tankbarge"},
    {8161, 90, "Tankbarge, liquid cargo, type N"},
    {8162, 90, "Tankbarge, liquid cargo, type C"},
    {8163, 99, "Tankbarge, dry cargo as if liquid (e.g. cement)"},
    {8170, 99, "Freightbarge with containers"},
    {8180, 90, "Tankbarge, gas"},
    {8210, 79, "Pushtow, one cargo barge"},
    {8220, 79, "Pushtow, two cargo barges"},
    {8230, 79, "Pushtow, three cargo barges"},
    {8240, 79, "Pushtow, four cargo barges"},
    {8250, 79, "Pushtow, five cargo barges"},
    {8260, 79, "Pushtow, six cargo barges"},
    {8270, 79, "Pushtow, seven cargo barges"},
    {8280, 79, "Pushtow, eight cargo barges"},
    {8290, 79, "Pushtow, nine or more barges"},
    {8310, 80, "Pushtow, one tank/gas barge"},
    {8320, 80, "Pushtow, two barges at least one tanker or gas barge"},
    {8330, 80, "Pushtow, three barges at least one tanker or gas barge"},
    {8340, 80, "Pushtow, four barges at least one tanker or gas barge"},
    {8350, 80, "Pushtow, five barges at least one tanker or gas barge"},
    {8360, 80, "Pushtow, six barges at least one tanker or gas barge"},
    {8370, 80, "Pushtow, seven barges at least one tanker or gas barg"},
};

static const char *eri_text(unsigned v)
{
    for (size_t i = 0; i < N(eri_types); i++)
        if (eri_types[i].code == v || eri_types[i].ais == v)
            return eri_types[i].text;
    return "Illegal ship type value.";
}

/* ---- row formatting ---- */

static void key(ald_sb *sb, const char *k, bool comma)
{
    if (comma)
        sb_putc(sb, ',');
    sb_putc(sb, '"');
    sb_puts(sb, k);
    LIT("\":");
}

static void quoted(ald_sb *sb, const char *s)
{
    sb_putc(sb, '"');
    sb_jstr(sb, s);
    sb_putc(sb, '"');
}

static void two(ald_sb *sb, unsigned v, char after)
{
    sb_u_pad(sb, v, 2);
    if (after)
        sb_putc(sb, after);
}

static void j_time(ald_sb *sb, const struct ais_app_time *t, int fmt)
{
    sb_putc(sb, '"');
    if (fmt == J_MDHM_RAW) {
        sb_u64(sb, t->month);
        sb_putc(sb, '-');
        sb_u64(sb, t->day);
        sb_putc(sb, 'T');
        sb_u64(sb, t->hour);
        sb_putc(sb, ':');
        sb_u64(sb, t->minute);
    } else {
        two(sb, t->month, '-');
        two(sb, t->day, 'T');
        two(sb, t->hour, ':');
        two(sb, t->minute, fmt == J_MDHM ? 'Z' : 0);
    }
    sb_putc(sb, '"');
}

static void j_dhm(ald_sb *sb, const struct ais_app_dhm *t)
{
    sb_putc(sb, '"');
    two(sb, t->day, 'T');
    two(sb, t->hour, ':');
    two(sb, t->minute, 'Z');
    sb_putc(sb, '"');
}

/* "%4u-%02u-%02uT%02u:%02u" of year + 2000, month, day, hour, minute; gpsd
 * 3.27 passes the start time's day last (month, hour, minute, day). */
static void j_emma(ald_sb *sb, const struct ais_emma_time *t, bool start)
{
    sb_putc(sb, '"');
    sb_u64(sb, t->year + 2000);
    sb_putc(sb, '-');
    two(sb, t->month, '-');
    two(sb, start ? t->hour : t->day, 'T');
    two(sb, start ? t->minute : t->hour, ':');
    two(sb, start ? t->day : t->minute, 0);
    sb_putc(sb, '"');
}

/* gpsd prints ((unsigned)level - 1000) / 100.0: below 1000 cm the unsigned
 * difference wraps around, and that is what it prints. */
static void j_wl31(ald_sb *sb, unsigned v)
{
    sb_double(sb, (double)(uint32_t)(v - 1000u) / 100.0, 1);
}

/* Formats up to J_SHIP200 print a single integer member (J_STR aside). */
static bool is_number(int fmt)
{
    return fmt <= J_SHIP200 && fmt != J_STR;
}

static int64_t number(const struct jrow *r, const char *m)
{
    if (r->sgn)
        return *(const int *)(const void *)m;
    if (r->fmt == J_B)
        return *(const bool *)(const void *)m;
    return *(const unsigned *)(const void *)m;
}

static void put_row(ald_sb *sb, const void *base, const struct jrow *r,
                    bool scaled, bool comma)
{
    const char *m = (const char *)base + r->off;
    int64_t v = is_number(r->fmt) ? number(r, m) : 0;
    key(sb, r->key, comma);
    switch (r->fmt) {
    case J_U:
    case J_I:
        sb_i64(sb, v);
        break;
    case J_B:
        sb_bool(sb, v != 0);
        break;
    case J_STR:
        quoted(sb, m);
        break;
    case J_SCALE:
    case J_SCALE_ALWAYS:
        if (scaled || r->fmt == J_SCALE_ALWAYS)
            sb_ratio(sb, v + r->bias, r->div, r->dec);
        else
            sb_i64(sb, v);
        break;
    case J_LEG:
        sb_i64(sb, v);
        sb_putc(sb, ',');
        sb_putc(sb, '"');
        sb_puts(sb, r->key);
        LIT("_text\":");
        quoted(sb, legend_text(r->leg, (unsigned)v));
        break;
    case J_LEG_S:
        if (scaled)
            quoted(sb, legend_text(r->leg, (unsigned)v));
        else
            sb_i64(sb, v);
        break;
    case J_ANA:
        if (scaled && v != 0)
            sb_ratio(sb, v, 20, 2);
        else
            sb_i64(sb, v);
        break;
    case J_WL31:
        if (scaled)
            j_wl31(sb, (unsigned)v);
        else
            sb_i64(sb, v);
        break;
    case J_SHIP200:
        sb_i64(sb, v);
        LIT(",\"shiptype_text\":");
        quoted(sb, eri_text((unsigned)v));
        break;
    case J_DHM:
        j_dhm(sb, (const struct ais_app_dhm *)(const void *)m);
        break;
    case J_EMMA:
    case J_EMMA_START:
        j_emma(sb, (const struct ais_emma_time *)(const void *)m, r->fmt == J_EMMA_START);
        break;
    default:
        j_time(sb, (const struct ais_app_time *)(const void *)m, r->fmt);
        break;
    }
}

/* Members, each preceded by a comma. */
static void put_rows(ald_sb *sb, const void *base, const struct jrow *r, size_t n,
                     bool scaled)
{
    for (size_t i = 0; i < n; i++)
        put_row(sb, base, &r[i], scaled, true);
}

/* One array element: {row, row, ...} */
static void put_obj(ald_sb *sb, const void *base, const struct jrow *r, size_t n,
                    bool scaled)
{
    sb_putc(sb, '{');
    for (size_t i = 0; i < n; i++)
        put_row(sb, base, &r[i], scaled, i > 0);
    sb_putc(sb, '}');
}

/* ---- type 6 ---- */

#define T struct ais_dac200fid21
static const struct jrow j200f21[] = {
    RS("country", country), RS("locode", locode), RS("section", section),
    RS("terminal", terminal), RS("hectometre", hectometre),
    RF("eta", J_MDHM_RAW, eta), RU("tugs", tugs), RU("airdraught", airdraught),
};
#undef T

#define T struct ais_dac200fid22
static const struct jrow j200f22[] = {
    RS("country", country), RS("locode", locode), RS("section", section),
    RS("terminal", terminal), RS("hectometre", hectometre),
    RF("eta", J_MDHM_RAW, rta), RL("status", status, rta_status),
};
#undef T

#define T struct ais_dac200fid55
static const struct jrow j200f55[] = {
    RU("crew", crew), RU("passengers", passengers), RU("personnel", personnel),
};
#undef T

#define T struct ais_dac235fid10
static const struct jrow j235f10[] = {
    RB("off_pos", off_pos), RB("alarm", alarm), RU("stat_ext", stat_ext),
    RF("ana_int", J_ANA, ana_int), RF("ana_ext1", J_ANA, ana_ext1),
    RF("ana_ext2", J_ANA, ana_ext2),
    RL("racon", racon, racon), RL("light", light, light),
};
#undef T

#define T struct ais_dac1fid12
static const struct jrow j1f12[] = {
    RS("lastport", lastport), RF("departure", J_MDHM, departure),
    RS("nextport", nextport), RF("eta", J_MDHM, eta),
    RS("dangerous", dangerous), RS("imdcat", imdcat),
    RU("unid", unid), RU("amount", amount), RU("unit", unit),
};
#undef T

#define T struct ais_dac1fid15
static const struct jrow j1f15[] = { RU("airdraught", airdraught) };
#undef T

#define T struct ais_dac1fid16
static const struct jrow j1f16[] = { RU("persons", persons) };
#undef T

#define T struct ais_dac1fid18
static const struct jrow j1f18[] = {
    RU("linkage", linkage), RF("arrival", J_MDHM, arrival),
    RS("portname", portname), RS("destination", destination),
    RLL3("lon", lon), RLL3("lat", lat),
};
#undef T

#define T struct ais_dac1fid20
static const struct jrow j1f20[] = {
    RU("linkage", linkage), RU("berth_length", berth_length),
    RL("position", position, positions), RF("arrival", J_MDHM_RAW, arrival),
    RU("availability", availability), RU("agent", agent), RU("fuel", fuel),
    RU("chandler", chandler), RU("stevedore", stevedore),
    RU("electrical", electrical), RU("water", water), RU("customs", customs),
    RU("cartage", cartage), RU("crane", crane), RU("lift", lift),
    RU("medical", medical), RU("navrepair", navrepair),
    RU("provisions", provisions), RU("shiprepair", shiprepair),
    RU("surveyor", surveyor), RU("steam", steam), RU("tugs", tugs),
    RU("solidwaste", solidwaste), RU("liquidwaste", liquidwaste),
    RU("hazardouswaste", hazardouswaste), RU("ballast", ballast),
    RU("additional", additional), RU("regional1", regional1),
    RU("regional2", regional2), RU("future1", future1), RU("future2", future2),
    RS("berth_name", berth_name), RLL3("berth_lon", berth_lon),
    RLL3("berth_lat", berth_lat), RTENTH("berth_depth", berth_depth),
};
#undef T

#define T struct ais_dac1fid25
static const struct jrow j1f25[] = { RU("unit", unit), RU("amount", amount) };
#undef T
#define T struct ais_cargo
static const struct jrow jcargo[] = { RU("code", code), RU("subtype", subtype) };
#undef T

#define T struct ais_route
static const struct jrow jroute[] = {
    RU("linkage", linkage), RU("sender", sender),
    RL("rtype", rtype, route_types), RF("start", J_MDHM, start),
    RU("duration", duration),
};
#undef T
#define T struct ais_waypoint
static const struct jrow jwaypoint[] = { RLL4("lon", lon), RLL4("lat", lat) };
#undef T

#define T struct ais_app_text
static const struct jrow jtext[] = { RU("linkage", linkage), RS("text", text) };
#undef T

#define T struct ais_tidal_window
static const struct jrow jtidalw[] = { RU("month", month), RU("day", day) };
#undef T
#define T struct ais_tidal
static const struct jrow jtidal[] = {
    RLL3("lon", lon), RLL3("lat", lat),
    RU("from_hour", from_hour), RU("from_min", from_min),
    RU("to_hour", to_hour), RU("to_min", to_min), RU("cdir", cdir),
    RTENTH("cspeed", cspeed),
};
#undef T

/* ---- type 8 ---- */

#define T struct ais_dac1fid11
static const struct jrow j1f11[] = {
    RLL3("lat", lat), RLL3("lon", lon), RF("timestamp", J_DHM, stamp),
    RU("wspeed", wspeed), RU("wgust", wgust), RU("wdir", wdir),
    RU("wgustdir", wgustdir), RU("humidity", humidity),
    RSC("airtemp", airtemp, -600, 10, 1), RSC("dewpoint", dewpoint, -200, 10, 1),
    RSC("pressure", pressure, 800, 1, 0), RLS("pressuretend", pressuretend, trends),
    RTENTH("visibility", visibility), RSC("waterlevel", waterlevel, -100, 10, 1),
    RLS("leveltrend", leveltrend, trends),
    RTENTH("cspeed", cspeed), RU("cdir", cdir),
    RTENTH("cspeed2", cspeed2), RU("cdir2", cdir2), RU("cdepth2", cdepth2),
    RTENTH("cspeed3", cspeed3), RU("cdir3", cdir3), RU("cdepth3", cdepth3),
    RTENTH("waveheight", waveheight), RU("waveperiod", waveperiod),
    RU("wavedir", wavedir), RTENTH("swellheight", swellheight),
    RU("swellperiod", swellperiod), RU("swelldir", swelldir),
    RU("seastate", seastate), RSC("watertemp", watertemp, -100, 10, 1),
    RL("preciptype", preciptype, preciptypes), RTENTH("salinity", salinity),
    RL("ice", ice, ice),
};
#undef T

#define T struct ais_dac1fid13
static const struct jrow j1f13[] = {
    RS("reason", reason), RS("closefrom", closefrom), RS("closeto", closeto),
    RU("radius", radius), RU("extunit", extunit),
    RF("from", J_MDHM_NOZ, from), RF("to", J_MDHM_NOZ, to),
};
#undef T

#define T struct ais_vts_target
static const struct jrow jtarget[] = {
    RLL3("lat", lat), RLL3("lon", lon),
    RU("course", course), RU("second", second), RU("speed", speed),
};
#undef T

#define T struct ais_dac1fid19
static const struct jrow j1f19[] = {
    RU("linkage", linkage), RS("station", station),
    { .key = "lon", .fmt = J_SCALE_ALWAYS, .sgn = true, .off = offsetof(T, lon),
      .div = 60000, .dec = 6 },
    { .key = "lat", .fmt = J_SCALE_ALWAYS, .sgn = true, .off = offsetof(T, lat),
      .div = 60000, .dec = 6 },
    RU("status", status), RL("signal", signal, signals),
    RU("hour", hour), RU("minute", minute),
    RL("nextsignal", nextsignal, signals),
};
#undef T

#define T struct ais_dac1fid31
static const struct jrow j1f31[] = {
    RLL3("lat", lat), RLL3("lon", lon), RB("accuracy", accuracy),
    RF("timestamp", J_DHM, stamp),
    RU("wspeed", wspeed), RU("wgust", wgust), RU("wdir", wdir),
    RU("wgustdir", wgustdir), RU("humidity", humidity),
    RSCI("airtemp", airtemp, 0, 10, 1), RSCI("dewpoint", dewpoint, 0, 10, 1),
    RSC("pressure", pressure, 799, 1, 0), RLS("pressuretend", pressuretend, trends),
    RB("visgreater", visgreater), RTENTH("visibility", visibility),
    RF("waterlevel", J_WL31, waterlevel), RLS("leveltrend", leveltrend, trends),
    RTENTH("cspeed", cspeed), RU("cdir", cdir),
    RTENTH("cspeed2", cspeed2), RU("cdir2", cdir2), RU("cdepth2", cdepth2),
    RTENTH("cspeed3", cspeed3), RU("cdir3", cdir3), RU("cdepth3", cdepth3),
    RTENTH("waveheight", waveheight), RU("waveperiod", waveperiod),
    RU("wavedir", wavedir), RTENTH("swellheight", swellheight),
    RU("swellperiod", swellperiod), RU("swelldir", swelldir),
    RU("seastate", seastate), RSCI("watertemp", watertemp, 0, 10, 1),
    RLS("preciptype", preciptype, preciptypes), RTENTH("salinity", salinity),
    RLS("ice", ice, ice),
};
#undef T

#define T struct ais_dac200fid10
static const struct jrow j200f10[] = {
    RS("vin", vin), RU("length", length), RU("beam", beam),
    RF("shiptype", J_SHIP200, shiptype), RL("hazard", hazard, hazards),
    RU("draught", draught), RL("loaded", loaded, load_status),
    RB("speed_q", speed_q), RB("course_q", course_q), RB("heading_q", heading_q),
};
#undef T

#define T struct ais_dac200fid23
static const struct jrow j200f23[] = {
    RF("start", J_EMMA_START, start), RF("end", J_EMMA, end),
    RLL4("start_lon", start_lon), RLL4("start_lat", start_lat),
    RLL4("end_lon", end_lon), RLL4("end_lat", end_lat),
    RL("type", type, emma_types), RI("min", min), RI("max", max),
    RL("class", intensity, emma_classes), RL("wind", wind, emma_winds),
};
#undef T

#define T struct ais_dac200fid24
static const struct jrow j200f24[] = { RS("country", country) };
#undef T
#define T struct ais_gauge
static const struct jrow jgauge[] = { RU("id", id), RI("level", level) };
#undef T

#define T struct ais_dac200fid40
static const struct jrow j200f40[] = {
    RLL4("lon", lon), RLL4("lat", lat), RU("form", form), RU("facing", facing),
    RL("direction", direction, directions), RL("status", status, light_status),
};
#undef T

/* ---- arrays after the flat members ---- */

/* ,"name":[{...},...]: n objects of `size` bytes from `base`, each by rows. */
static void put_array(ald_sb *sb, const char *name, const void *base, size_t size, size_t n,
                      const struct jrow *r, size_t nr, bool scaled)
{
    key(sb, name, true);
    sb_putc(sb, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(sb, ',');
        put_obj(sb, (const char *)base + i * size, r, nr, scaled);
    }
    sb_putc(sb, ']');
}

static void tail_cargos(ald_sb *sb, const void *app, bool scaled)
{
    const struct ais_dac1fid25 *c = app;
    put_array(sb, "cargos", c->cargos, sizeof c->cargos[0], c->ncargos, jcargo, N(jcargo),
              scaled);
}

static void tail_route(ald_sb *sb, const void *app, bool scaled)
{
    const struct ais_route *r = app;
    size_t n = r->waycount < AIS_ROUTE_WAYPOINTS_MAX ? r->waycount : AIS_ROUTE_WAYPOINTS_MAX;
    put_array(sb, "waypoints", r->waypoints, sizeof r->waypoints[0], n, jwaypoint,
              N(jwaypoint), scaled);
}

static void tail_tidals(ald_sb *sb, const void *app, bool scaled)
{
    const struct ais_tidal_window *w = app;
    put_array(sb, "tidals", w->tidals, sizeof w->tidals[0], w->ntidals, jtidal, N(jtidal),
              scaled);
}

/* Target identifier: a number (quoted) or text, under the id type's name. */
static void target_id(ald_sb *sb, const struct ais_vts_target *t)
{
    key(sb, legend_text(&idtypes, t->idtype), true);
    if (t->idtype < 2) {
        sb_putc(sb, '"');
        sb_u64(sb, t->id);
        sb_putc(sb, '"');
    } else {
        quoted(sb, t->id_text);
    }
}

static void tail_targets(ald_sb *sb, const void *app, bool scaled)
{
    const struct ais_dac1fid17 *v = app;
    static const struct jrow idtype = {
        .key = "idtype", .fmt = J_LEG, .off = offsetof(struct ais_vts_target, idtype),
        .leg = &idtypes,
    };
    LIT(",\"targets\":[");
    for (unsigned i = 0; i < v->ntargets; i++) {
        const struct ais_vts_target *t = &v->targets[i];
        if (i)
            sb_putc(sb, ',');
        sb_putc(sb, '{');
        put_row(sb, t, &idtype, scaled, false);
        target_id(sb, t);
        put_rows(sb, t, jtarget, N(jtarget), scaled);
        sb_putc(sb, '}');
    }
    sb_putc(sb, ']');
}

static void tail_gauges(ald_sb *sb, const void *app, bool scaled)
{
    const struct ais_dac200fid24 *g = app;
    put_array(sb, "gauges", g->gauges, sizeof g->gauges[0], g->ngauges, jgauge, N(jgauge),
              scaled);
}

/* gpsd 3.27.5 prints a structured type 8 DAC 1 FI 16 from the type 6 view
 * of its message union, which always holds 0 there; we print the same
 * (the decoded count is in struct ais_dac1fid16). */
static void tail_persons8(ald_sb *sb, const void *app, bool scaled)
{
    (void)app;
    (void)scaled;
    LIT(",\"persons\":0");
}

/* ---- dispatch ---- */

struct jlayout {
    unsigned dac, fid;
    const struct jrow *rows;
    size_t n;
    void (*tail)(ald_sb *sb, const void *app, bool scaled);
};

#define ROWS(t) (t), N(t)

static const struct jlayout jlayouts6[] = {
    { 200, 21, ROWS(j200f21), NULL },
    { 200, 22, ROWS(j200f22), NULL },
    { 200, 55, ROWS(j200f55), NULL },
    { 235, 10, ROWS(j235f10), NULL },
    { 250, 10, ROWS(j235f10), NULL },
    { 1, 12, ROWS(j1f12), NULL },
    { 1, 14, ROWS(jtidalw), tail_tidals },
    { 1, 15, ROWS(j1f15), NULL },
    { 1, 16, ROWS(j1f16), NULL },
    { 1, 18, ROWS(j1f18), NULL },
    { 1, 20, ROWS(j1f20), NULL },
    { 1, 25, ROWS(j1f25), tail_cargos },
    { 1, 28, ROWS(jroute), tail_route },
    { 1, 30, ROWS(jtext), NULL },
    { 1, 32, ROWS(jtidalw), tail_tidals },
};

static const struct jlayout jlayouts8[] = {
    { 1, 11, ROWS(j1f11), NULL },
    { 1, 13, ROWS(j1f13), NULL },
    { 1, 15, ROWS(j1f15), NULL },
    { 1, 16, NULL, 0, tail_persons8 },
    { 1, 17, NULL, 0, tail_targets },
    { 1, 19, ROWS(j1f19), NULL },
    { 1, 27, ROWS(jroute), tail_route },
    { 1, 29, ROWS(jtext), NULL },
    { 1, 31, ROWS(j1f31), NULL },
    { 200, 10, ROWS(j200f10), NULL },
    { 200, 23, ROWS(j200f23), NULL },
    { 200, 24, ROWS(j200f24), tail_gauges },
    { 200, 40, ROWS(j200f40), NULL },
};

static void put_app(ald_sb *sb, const struct jlayout *l, size_t nl, unsigned dac,
                    unsigned fid, const void *app, bool scaled)
{
    for (; nl > 0; nl--, l++) {
        if (l->dac != dac || l->fid != fid)
            continue;
        put_rows(sb, app, l->rows, l->n, scaled);
        if (l->tail)
            l->tail(sb, app, scaled);
        return;
    }
}

void ais_app6_json(ald_sb *sb, const struct ais_binmsg6 *t, bool scaled)
{
    put_app(sb, jlayouts6, N(jlayouts6), t->dac, t->fid, &t->app, scaled);
}

void ais_app8_json(ald_sb *sb, const struct ais_binmsg8 *t, bool scaled)
{
    put_app(sb, jlayouts8, N(jlayouts8), t->dac, t->fid, &t->app, scaled);
}
