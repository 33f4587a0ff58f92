/*
 * ais_app.h - decoded application-specific payloads of AIS binary messages
 * (type 6 addressed, type 8 broadcast), keyed by DAC/FI.
 *
 * The set of DAC/FI decoded, their field layouts and the length conditions
 * under which a payload counts as structured are those of gpsd 3.27
 * (IMO SN.1/Circ.236 and 289, Inland AIS, GLA AtoN monitoring). Which
 * member of the union is valid follows from the message's dac and fid:
 *
 *   type 6: dac 1 fid 12, 14, 15, 16, 18, 20, 25, 28, 30, 32;
 *           dac 200 fid 21, 22, 55; dac 235 or 250 fid 10
 *   type 8: dac 1 fid 11, 13, 15, 16, 17, 19, 27, 29, 31;
 *           dac 200 fid 10, 23, 24, 40
 *
 * Fields hold the raw transmitted integers (scaling is the formatter's job);
 * text fields are six-bit text with trailing spaces and '@' removed.
 * Arrays are sized for the longest payload a 1008-bit message can carry.
 */
#ifndef ALIDADE_AIS_APP_H
#define ALIDADE_AIS_APP_H

#include <stdbool.h>
#include <stdint.h>

/* A partial UTC time as the IMO messages send it (0 = not available for
 * month and day, 24 for hour, 60 for minute). */
struct ais_app_time {
    unsigned month, day, hour, minute;
};

/* Day of month and time of a weather observation. */
struct ais_app_dhm {
    unsigned day, hour, minute;
};

/* ---- type 6 (addressed) ---- */

/* DAC 200 FI 21 (Inland AIS): ETA at lock/bridge/terminal; 248 bits only */
struct ais_dac200fid21 {
    char country[3], locode[4], section[6], terminal[6], hectometre[6];
    struct ais_app_time eta;
    unsigned tugs;
    unsigned airdraught;        /* cm */
};

/* DAC 200 FI 22 (Inland AIS): RTA at lock/bridge/terminal; 232 bits only */
struct ais_dac200fid22 {
    char country[3], locode[4], section[6], terminal[6], hectometre[6];
    struct ais_app_time rta;
    unsigned status;            /* 0 operational, 1 limited, 2 out of order */
};

/* DAC 200 FI 55 (Inland AIS): persons on board; 168 bits only */
struct ais_dac200fid55 {
    unsigned crew, passengers, personnel;   /* 255 / 8191 = not available */
};

/* DAC 235 or 250 FI 10 (GLA): AtoN monitoring data; 136 bits only */
struct ais_dac235fid10 {
    unsigned ana_int, ana_ext1, ana_ext2;   /* 0.05 V */
    unsigned racon, light;                  /* 2-bit status codes */
    bool alarm;
    unsigned stat_ext;                      /* 8 external status bits */
    bool off_pos;
};

/* DAC 1 FI 12 (IMO236): dangerous cargo indication */
struct ais_dac1fid12 {
    char lastport[6];
    struct ais_app_time departure;
    char nextport[6];
    struct ais_app_time eta;
    char dangerous[21];
    char imdcat[5];
    unsigned unid, amount, unit;
};

/* DAC 1 FI 15 (IMO236): extended ship static data. gpsd reads the air
 * draught at bit 56 of the message, which in type 6 is inside the
 * destination MMSI; kept as gpsd has it. */
struct ais_dac1fid15 {
    unsigned airdraught;
};

/* DAC 1 FI 16: persons on board (IMO289 layout when the application data
 * is 136 bits, else gpsd's IMO236 guess at bit 55) */
struct ais_dac1fid16 {
    unsigned persons;
};

/* DAC 1 FI 18 (IMO289): clearance time to enter port */
struct ais_dac1fid18 {
    unsigned linkage;
    struct ais_app_time arrival;
    char portname[21];
    char destination[6];
    int lon, lat;               /* 1/1000 minute */
};

/* DAC 1 FI 20 (IMO289): berthing data */
struct ais_dac1fid20 {
    unsigned linkage;
    unsigned berth_length;      /* m */
    unsigned berth_depth;       /* 0.1 m */
    unsigned position;          /* mooring position code 0-7 */
    struct ais_app_time arrival;
    unsigned availability;
    /* 2-bit service status codes */
    unsigned agent, fuel, chandler, stevedore, electrical, water, customs;
    unsigned cartage, crane, lift, medical, navrepair, provisions;
    unsigned shiprepair, surveyor, steam, tugs, solidwaste, liquidwaste;
    unsigned hazardouswaste, ballast, additional, regional1, regional2;
    unsigned future1, future2;
    char berth_name[21];
    int berth_lon, berth_lat;   /* 1/1000 minute */
};

/* DAC 1 FI 25 (IMO289): dangerous cargo indication, one entry per 17 bits */
#define AIS_DAC1FID25_CARGOS_MAX 54
struct ais_dac1fid25 {
    unsigned unit, amount;
    unsigned ncargos;
    struct ais_cargo {
        unsigned code, subtype;
    } cargos[AIS_DAC1FID25_CARGOS_MAX];
};

/* DAC 1 FI 27 (type 8) and FI 28 (type 6) (IMO289): route information.
 * waycount is what the message says (up to 31); waypoints past the end of
 * the message read as zero, as in gpsd. */
#define AIS_ROUTE_WAYPOINTS_MAX 31
struct ais_route {
    unsigned linkage, sender, rtype;
    struct ais_app_time start;
    unsigned duration;          /* minutes */
    unsigned waycount;
    struct ais_waypoint {
        int lon, lat;           /* 1/10000 minute */
    } waypoints[AIS_ROUTE_WAYPOINTS_MAX];
};

/* DAC 1 FI 30 (type 6) and FI 29 (type 8) (IMO289): text description */
struct ais_app_text {
    unsigned linkage;
    char text[162];
};

/* DAC 1 FI 14 (IMO236) and FI 32 (IMO289): tidal window. Both layouts
 * are decoded into this struct; FI 14 positions are 1/10000 minute, FI 32
 * ones 1/1000 minute (gpsd scales both as 1/1000). */
#define AIS_TIDALS_MAX 11
struct ais_tidal_window {
    unsigned month, day;
    unsigned ntidals;
    struct ais_tidal {
        int lon, lat;
        unsigned from_hour, from_min, to_hour, to_min;
        unsigned cdir;          /* degrees */
        unsigned cspeed;        /* 0.1 kn */
    } tidals[AIS_TIDALS_MAX];
};

struct ais_app6 {
    union {
        struct ais_dac200fid21 dac200fid21;
        struct ais_dac200fid22 dac200fid22;
        struct ais_dac200fid55 dac200fid55;
        struct ais_dac235fid10 dac235fid10;
        struct ais_dac1fid12 dac1fid12;
        struct ais_dac1fid15 dac1fid15;
        struct ais_dac1fid16 dac1fid16;
        struct ais_dac1fid18 dac1fid18;
        struct ais_dac1fid20 dac1fid20;
        struct ais_dac1fid25 dac1fid25;
        struct ais_route dac1fid28;
        struct ais_app_text dac1fid30;
        struct ais_tidal_window dac1fid32;   /* FI 14 and FI 32 */
    };
};

/* ---- type 8 (broadcast) ---- */

/* DAC 1 FI 11 (IMO236): meteorological and hydrographic data */
struct ais_dac1fid11 {
    int lat, lon;               /* 1/1000 minute */
    struct ais_app_dhm stamp;
    unsigned wspeed, wgust;     /* kn */
    unsigned wdir, wgustdir;    /* degrees */
    unsigned airtemp;           /* 0.1 C, offset 600 */
    unsigned humidity;          /* % */
    unsigned dewpoint;          /* 0.1 C, offset 200 */
    unsigned pressure;          /* hPa, offset -800 */
    unsigned pressuretend;
    unsigned visibility;        /* 0.1 NM */
    unsigned waterlevel;        /* 0.1 m, offset 100 */
    unsigned leveltrend;
    unsigned cspeed, cdir;      /* 0.1 kn, degrees */
    unsigned cspeed2, cdir2, cdepth2;
    unsigned cspeed3, cdir3, cdepth3;
    unsigned waveheight, waveperiod, wavedir;
    unsigned swellheight, swellperiod, swelldir;
    unsigned seastate;
    unsigned watertemp;         /* 0.1 C, offset 100 */
    unsigned preciptype;
    unsigned salinity;          /* 0.1 per mille */
    unsigned ice;
};

/* DAC 1 FI 13 (IMO236): fairway closed */
struct ais_dac1fid13 {
    char reason[21], closefrom[21], closeto[21];
    unsigned radius, extunit;
    struct ais_app_time from, to;
};

/* DAC 1 FI 17 (IMO289): VTS-generated/synthetic targets, 122 bits each */
#define AIS_TARGETS_MAX 8
struct ais_dac1fid17 {
    unsigned ntargets;
    struct ais_vts_target {
        unsigned idtype;        /* 0 MMSI, 1 IMO, 2 call sign, 3 other */
        unsigned id;            /* MMSI or IMO number (idtype 0, 1) */
        char id_text[8];        /* call sign or other id (idtype 2, 3) */
        int lat, lon;           /* 1/1000 minute */
        unsigned course, second, speed;
    } targets[AIS_TARGETS_MAX];
};

/* DAC 1 FI 19 (IMO289): marine traffic signal */
struct ais_dac1fid19 {
    unsigned linkage;
    char station[21];
    int lon, lat;               /* 1/1000 minute */
    unsigned status, signal, hour, minute, nextsignal;
};

/* DAC 1 FI 31 (IMO289): meteorological and hydrographic data */
struct ais_dac1fid31 {
    int lon, lat;               /* 1/1000 minute */
    bool accuracy;
    struct ais_app_dhm stamp;
    unsigned wspeed, wgust;     /* kn */
    unsigned wdir, wgustdir;    /* degrees */
    int airtemp;                /* 0.1 C */
    unsigned humidity;          /* % */
    int dewpoint;               /* 0.1 C */
    unsigned pressure;          /* hPa, offset -799 */
    unsigned pressuretend;
    bool visgreater;
    unsigned visibility;        /* 0.1 NM */
    unsigned waterlevel;        /* cm, offset 1000 */
    unsigned leveltrend;
    unsigned cspeed, cdir;      /* 0.1 kn, degrees */
    unsigned cspeed2, cdir2, cdepth2;
    unsigned cspeed3, cdir3, cdepth3;
    unsigned waveheight, waveperiod, wavedir;
    unsigned swellheight, swellperiod, swelldir;
    unsigned seastate;
    int watertemp;              /* 0.1 C */
    unsigned preciptype;
    unsigned salinity;          /* 0.1 per mille */
    unsigned ice;
};

/* DAC 200 FI 10 (Inland AIS): ship static and voyage data; 168 bits and a
 * hazard code <= 5 only */
struct ais_dac200fid10 {
    char vin[9];                /* ENI */
    unsigned length, beam;      /* 0.1 m */
    unsigned shiptype;          /* ERI code */
    unsigned hazard;
    unsigned draught;           /* cm */
    unsigned loaded;
    bool speed_q, course_q, heading_q;
};

/* DAC 200 FI 23 (Inland AIS): EMMA warning; 256 bits only */
struct ais_dac200fid23 {
    struct ais_emma_time {
        unsigned year;          /* since 2000 */
        unsigned month, day, hour, minute;
    } start, end;
    int start_lon, start_lat, end_lon, end_lat;     /* 1/10000 minute */
    unsigned type;
    int min, max;
    unsigned intensity, wind;
};

/* DAC 200 FI 24 (Inland AIS): water levels; 168 bits only */
struct ais_dac200fid24 {
    char country[3];
    unsigned ngauges;
    struct ais_gauge {
        unsigned id;
        int level;              /* cm */
    } gauges[4];
};

/* DAC 200 FI 40 (Inland AIS): signal status; 168 bits only */
struct ais_dac200fid40 {
    int lon, lat;               /* 1/10000 minute */
    unsigned form, facing, direction, status;
};

struct ais_app8 {
    union {
        struct ais_dac1fid11 dac1fid11;
        struct ais_dac1fid13 dac1fid13;
        struct ais_dac1fid15 dac1fid15;
        struct ais_dac1fid16 dac1fid16;
        struct ais_dac1fid17 dac1fid17;
        struct ais_dac1fid19 dac1fid19;
        struct ais_route dac1fid27;
        struct ais_app_text dac1fid29;
        struct ais_dac1fid31 dac1fid31;
        struct ais_dac200fid10 dac200fid10;
        struct ais_dac200fid23 dac200fid23;
        struct ais_dac200fid24 dac200fid24;
        struct ais_dac200fid40 dac200fid40;
    };
};

#endif
