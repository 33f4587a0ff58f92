/*
 * csv.c - position reports as CSV rows for spreadsheets and GIS tools:
 * mmsi,time,lat,lon,sog,cog,heading,nav_status,type. Unavailable values are
 * empty cells (not 91/181/102.3/360/511), time is ISO 8601 UTC or empty.
 */
#include "ais/internal.h"

bool ais_has_position(const struct ais_msg *m)
{
    switch (m->type) {
    case 1: case 2: case 3: case 4: case 9: case 11:
    case 18: case 19: case 21: case 27:
        return true;
    default:
        return false;
    }
}

const char *ais_csv_header(void)
{
    return "mmsi,time,lat,lon,sog,cog,heading,nav_status,type";
}

/* Writes "YYYY-MM-DDTHH:MM:SS(.mmm)Z" for ms since 1970. */
static void iso_time(ald_sb *sb, int64_t ms)
{
    int64_t s = ms / 1000, msr = ms % 1000;
    if (msr < 0) {
        msr += 1000;
        s--;
    }
    int64_t days = s / 86400, sod = s % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    /* civil from days (H. Hinnant) */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t mo = mp < 10 ? mp + 3 : mp - 9;
    if (mo <= 2)
        y++;
    sb_u_pad(sb, (uint64_t)y, 4);
    sb_putc(sb, '-');
    sb_u_pad(sb, (uint64_t)mo, 2);
    sb_putc(sb, '-');
    sb_u_pad(sb, (uint64_t)d, 2);
    sb_putc(sb, 'T');
    sb_u_pad(sb, (uint64_t)(sod / 3600), 2);
    sb_putc(sb, ':');
    sb_u_pad(sb, (uint64_t)(sod / 60 % 60), 2);
    sb_putc(sb, ':');
    sb_u_pad(sb, (uint64_t)(sod % 60), 2);
    if (msr) {
        sb_putc(sb, '.');
        sb_u_pad(sb, (uint64_t)msr, 3);
    }
    sb_putc(sb, 'Z');
}

size_t ais_format_time(int64_t ms, char *dst, size_t cap)
{
    ald_sb sb;
    sb_init(&sb, dst, cap);
    iso_time(&sb, ms);
    sb_putc(&sb, '\0');
    return sb.overflow ? 0 : (size_t)(sb.p - dst - 1);
}

/* Position with divisor `div` per degree; empty when not available. */
static void coord(ald_sb *sb, int v, int64_t div, int limit, int decimals)
{
    if (v == limit * div || v > limit * div || v < -limit * div)
        return;
    sb_ratio(sb, v, div, decimals);
}

size_t ais_csv(const struct ais_msg *m, const struct ais_meta *meta, char *dst, size_t cap)
{
    int lat, lon;
    int64_t div = 600000;
    int dec = 7;
    long sog = -1, cog = -1, heading = -1, status = -1;
    ald_sb s, *sb = &s;

    switch (m->type) {
    case 1: case 2: case 3:
        lat = m->u.t1.lat; lon = m->u.t1.lon;
        sog = m->u.t1.speed; cog = m->u.t1.course;
        heading = m->u.t1.heading; status = m->u.t1.status;
        break;
    case 4: case 11:
        lat = m->u.t4.lat; lon = m->u.t4.lon;
        break;
    case 9:
        lat = m->u.t9.lat; lon = m->u.t9.lon;
        cog = m->u.t9.course;
        sog = m->u.t9.speed == 1023 ? -1 : (long)m->u.t9.speed * 10;
        break;
    case 18:
        lat = m->u.t18.lat; lon = m->u.t18.lon;
        sog = m->u.t18.speed; cog = m->u.t18.course; heading = m->u.t18.heading;
        break;
    case 19:
        lat = m->u.t19.lat; lon = m->u.t19.lon;
        sog = m->u.t19.speed; cog = m->u.t19.course; heading = m->u.t19.heading;
        break;
    case 21:
        lat = m->u.t21.lat; lon = m->u.t21.lon;
        break;
    case 27:
        lat = m->u.t27.lat; lon = m->u.t27.lon;
        div = 600; dec = 4;
        sog = m->u.t27.speed == 63 ? -1 : (long)m->u.t27.speed * 10;
        cog = m->u.t27.course == 511 ? -1 : (long)m->u.t27.course * 10;
        status = m->u.t27.status;
        break;
    default:
        return 0;
    }
    sb_init(sb, dst, cap);
    sb_u64(sb, m->mmsi);
    sb_putc(sb, ',');
    if (meta && meta->time_ms != AIS_TIME_NONE)
        iso_time(sb, meta->time_ms);
    sb_putc(sb, ',');
    coord(sb, lat, div, 91, dec);
    sb_putc(sb, ',');
    coord(sb, lon, div, 181, dec);
    sb_putc(sb, ',');
    if (sog >= 0 && sog < 1023)
        sb_ratio(sb, sog, 10, 1);
    sb_putc(sb, ',');
    if (cog >= 0 && cog < 3600)
        sb_ratio(sb, cog, 10, 1);
    sb_putc(sb, ',');
    if (heading >= 0 && heading < 360)
        sb_u64(sb, (uint64_t)heading);
    sb_putc(sb, ',');
    if (status >= 0)
        sb_u64(sb, (uint64_t)status);
    sb_putc(sb, ',');
    sb_u64(sb, m->type);
    return sb->overflow ? 0 : (size_t)(sb->p - dst);
}
