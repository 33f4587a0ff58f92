/*
 * test_policy.c - the read policy (lib/share/policy.c, docs/share.md):
 * the table of every TLP level x sharing-group marking x how the partner is
 * named x collection grant; unmarked objects under each node default; TLP
 * 1.0 ids; the sharing-group marking ids (values from Python's uuid.uuid5)
 * and marking-definition text; names; and a randomised test comparing
 * share_can_read with an independent oracle over 100,000+ combinations of
 * random partners and objects built from structured facts.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/share.h"

/* TLP 2.0 ids (first.org / OASIS), then TLP 1.0 ids (STIX 2.1 section 7.2.1.4) */
#define TLP2_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP2_GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define TLP2_AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP2_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define TLP2_RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
#define TLP1_WHITE "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
#define TLP1_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define TLP1_AMBER "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
#define TLP1_RED "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
/* MITRE ATT&CK's copyright statement marking (ics-attack.json) */
#define COPYRIGHT "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"
/* uuid.uuid5(uuid.uuid5(NAMESPACE_URL, "https://alidade.invalid/sharing-group"),
 * "alidade-sharing-group:" + name), Python 3.11 */
#define NAVY "marking-definition--a7345911-10c2-598c-8701-539641365de6"
#define COASTGUARD "marking-definition--1f5980b8-e7d9-55bc-863e-7f3bbc9660c1"

#define ME "identity--11111111-1111-4111-8111-111111111111"
#define OTHER "identity--22222222-2222-4222-8222-222222222222"
#define COLL "3f1b7a8e-0c4d-4e5f-9a6b-7c8d9e0f1a2b"
#define COLL2 "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"

static struct store_partner partner(const char *identity, const char *groups, const char *read)
{
    struct store_partner p;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "p");
    snprintf(p.identity, sizeof p.identity, "%s", identity);
    snprintf(p.groups, sizeof p.groups, "%s", groups);
    snprintf(p.read, sizeof p.read, "%s", read);
    return p;
}

static struct store_row row(int tlp, const char *markings, const char *creator,
                            const char *recipients)
{
    struct store_row r;
    memset(&r, 0, sizeof r);
    r.json = "{}";
    r.len = 2;
    r.id = "indicator--33333333-3333-4333-8333-333333333333";
    r.type = "indicator";
    r.tlp = tlp;
    r.markings = markings;
    r.created_by_ref = creator;
    r.recipients = recipients;
    return r;
}

/* ---- the table ---- */

static const struct {
    int tlp;                 /* what the store computed */
    const char *marking;     /* the TLP marking among object_marking_refs */
    bool red;                /* whether the policy must treat it as RED */
} tlps[] = {
    {STIX_TLP_CLEAR, TLP2_CLEAR, false},
    {STIX_TLP_GREEN, TLP2_GREEN, false},
    {STIX_TLP_AMBER, TLP2_AMBER, false},
    {STIX_TLP_AMBER_STRICT, TLP2_STRICT, false},
    {STIX_TLP_RED, TLP2_RED, true},
};

static const struct {
    const char *markings;    /* group markings (plus a copyright statement) */
    const char *groups;      /* the partner's groups */
    bool ok;                 /* the group rule lets it through */
} groupcases[] = {
    {"", "", true},
    {"", "navy", true},
    {NAVY, "navy", true},
    {NAVY, "coastguard", false},
    {NAVY, "", false},
    {NAVY " " COASTGUARD, "coastguard", true},
    {NAVY " " COASTGUARD, "army,coastguard", true},
    {NAVY " " COASTGUARD, "army", false},
    {COPYRIGHT, "", true},
    {COPYRIGHT " " NAVY, "army", false},
};

static const struct {
    const char *identity, *creator, *recipients;
    bool named;              /* the partner is named on the object */
} namecases[] = {
    {ME, "", "", false},
    {ME, ME, "", true},
    {ME, OTHER, "", false},
    {ME, OTHER, ME, true},
    {ME, "", OTHER " " ME, true},
    {ME, OTHER, OTHER, false},
    {"", "", "", false},      /* no identity is named on nothing */
    {"", OTHER, OTHER, false},
};

static const struct {
    const char *read;
    bool ok;
} grantcases[] = {
    {"*", true},
    {COLL, true},
    {COLL2 "," COLL, true},
    {COLL2, false},
    {"", false},
    {"3f1b7a8e", false},     /* a prefix is not the id */
};

static void policy_table(void **state)
{
    (void)state;
    struct share_group known[3] = {{"army", ""}, {"coastguard", ""}, {"navy", ""}};
    for (size_t i = 0; i < 3; i++)
        share_group_marking_id(known[i].name, known[i].id);
    struct share_config cfg = {STIX_TLP_AMBER, known, 3};
    size_t checked = 0, yes = 0;
    for (size_t t = 0; t < sizeof tlps / sizeof tlps[0]; t++)
        for (size_t g = 0; g < sizeof groupcases / sizeof groupcases[0]; g++)
            for (size_t n = 0; n < sizeof namecases / sizeof namecases[0]; n++)
                for (size_t c = 0; c < sizeof grantcases / sizeof grantcases[0]; c++) {
                    char markings[512];
                    snprintf(markings, sizeof markings, "%s %s", groupcases[g].markings,
                             tlps[t].marking);
                    struct store_partner p = partner(namecases[n].identity,
                                                     groupcases[g].groups, grantcases[c].read);
                    struct store_row r = row(tlps[t].tlp, markings, namecases[n].creator,
                                             namecases[n].recipients);
                    bool want = grantcases[c].ok && groupcases[g].ok &&
                                (!tlps[t].red || namecases[n].named);
                    if (share_can_read(&cfg, &p, COLL, &r) != want)
                        fail_msg("tlp %zu groups %zu name %zu grant %zu: want %d", t, g, n, c,
                                 want);
                    checked++;
                    yes += want;
                }
    assert_int_equal(checked, 5 * 10 * 8 * 6);
    /* grants 3/6 x groups 6/10 x (4 non-RED levels x 8 + RED named 3/8) */
    assert_int_equal(yes, 3 * 6 * (4 * 8 + 3));
}

/* Unmarked objects follow the node's default. */
static void unmarked_defaults(void **state)
{
    (void)state;
    struct store_partner p = partner(ME, "", "*");
    struct store_row other = row(STIX_TLP_NONE, "", OTHER, "");
    struct store_row mine = row(STIX_TLP_NONE, "", ME, "");
    struct store_row copy = row(STIX_TLP_NONE, COPYRIGHT, OTHER, "");
    const struct {
        int def;
        bool others;         /* an object someone else created */
    } cases[] = {
        {STIX_TLP_CLEAR, true}, {STIX_TLP_GREEN, true},      {STIX_TLP_AMBER, true},
        {STIX_TLP_AMBER_STRICT, true}, {STIX_TLP_RED, false}, {STIX_TLP_NONE, true},
        {7, false},          /* out of range: RED */
        {-5, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct share_config cfg = {(enum stix_tlp)cases[i].def, NULL, 0};
        assert_int_equal(share_can_read(&cfg, &p, COLL, &other), cases[i].others);
        assert_int_equal(share_can_read(&cfg, &p, COLL, &copy), cases[i].others);
        assert_true(share_can_read(&cfg, &p, COLL, &mine));
    }
    /* no config at all: AMBER */
    assert_true(share_can_read(NULL, &p, COLL, &other));
    /* a marked object ignores the default */
    struct share_config red = {STIX_TLP_RED, NULL, 0};
    struct store_row green = row(STIX_TLP_GREEN, TLP2_GREEN, OTHER, "");
    assert_true(share_can_read(&red, &p, COLL, &green));
}

/* TLP 1.0 ids count as their 2.0 level even when the store left tlp unset;
 * the strictest TLP among the markings and the stored level wins. */
static void tlp1_and_strictest(void **state)
{
    (void)state;
    struct share_config cfg = {STIX_TLP_CLEAR, NULL, 0};
    struct store_partner p = partner(ME, "", "*");
    const struct {
        int tlp;
        const char *markings;
        bool readable;       /* by a partner not named on the object */
    } cases[] = {
        {STIX_TLP_NONE, TLP1_WHITE, true},
        {STIX_TLP_NONE, TLP1_GREEN, true},
        {STIX_TLP_NONE, TLP1_AMBER, true},
        {STIX_TLP_NONE, TLP1_RED, false},
        {STIX_TLP_CLEAR, TLP1_RED, false},
        {STIX_TLP_RED, TLP1_RED, false},
        {STIX_TLP_GREEN, TLP2_GREEN " " TLP2_RED, false},
        {STIX_TLP_GREEN, TLP1_WHITE " " TLP2_GREEN, true},
        {STIX_TLP_RED, TLP2_GREEN, false},  /* the stored level counts too */
        {9, TLP2_GREEN, false},             /* unknown stored level: RED */
        {STIX_TLP_NONE, "  " TLP2_AMBER ",", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct store_row other = row(cases[i].tlp, cases[i].markings, OTHER, "");
        struct store_row mine = row(cases[i].tlp, cases[i].markings, OTHER, ME);
        if (share_can_read(&cfg, &p, COLL, &other) != cases[i].readable)
            fail_msg("case %zu", i);
        assert_true(share_can_read(&cfg, &p, COLL, &mine));
    }
}

/* An id written in upper case is the same UUID: it restricts (TLP, groups)
 * and names (identities) exactly as the lower-case one. */
static void upper_case_ids(void **state)
{
    (void)state;
    struct share_group navy = {"navy", NAVY};
    struct share_config cfg = {STIX_TLP_CLEAR, &navy, 1};
    struct store_partner p = partner(ME, "army", "*");
    struct store_row red =
        row(STIX_TLP_NONE, "marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1", OTHER, "");
    assert_false(share_can_read(&cfg, &p, COLL, &red));
    struct store_row grp = row(STIX_TLP_CLEAR,
                               TLP2_CLEAR " marking-definition--A7345911-10C2-598C-8701-539641365DE6",
                               OTHER, "");
    assert_false(share_can_read(&cfg, &p, COLL, &grp));
    struct store_partner sailor = partner(ME, "navy", "*");
    assert_true(share_can_read(&cfg, &sailor, COLL, &grp));
    struct store_partner upper = partner("identity--AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE", "", "*");
    struct store_row mine = row(STIX_TLP_RED, TLP2_RED,
                                "identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "");
    assert_true(share_can_read(&cfg, &upper, COLL, &mine));
    struct store_row to_me = row(STIX_TLP_RED, TLP2_RED, OTHER,
                                 OTHER " identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeef "
                                 "identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee");
    assert_true(share_can_read(&cfg, &upper, COLL, &to_me));
    struct store_row not_me = row(STIX_TLP_RED, TLP2_RED, OTHER,
                                  "identity--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeef");
    assert_false(share_can_read(&cfg, &upper, COLL, &not_me));
}

/* Without the node's group list a marking of a group the partner is not in
 * cannot be told from any other statement marking (docs/share.md). */
static void groups_known_to_node(void **state)
{
    (void)state;
    struct store_partner ps[3] = {partner(ME, "navy,army", "*"), partner(OTHER, "army", "*"),
                                  partner("", "coastguard,navy", "*")};
    struct share_group *g = NULL;
    size_t n = 0;
    assert_int_equal(share_known_groups(ps, 3, &g, &n), ALD_E_OK);
    assert_int_equal(n, 3);
    assert_string_equal(g[0].name, "army");
    assert_string_equal(g[1].name, "coastguard");
    assert_string_equal(g[1].id, COASTGUARD);
    assert_string_equal(g[2].name, "navy");
    assert_string_equal(g[2].id, NAVY);
    struct share_config with = {STIX_TLP_AMBER, g, n}, without = {STIX_TLP_AMBER, NULL, 0};
    struct store_row navy = row(STIX_TLP_GREEN, TLP2_GREEN " " NAVY, "", "");
    assert_true(share_can_read(&with, &ps[0], COLL, &navy));
    assert_false(share_can_read(&with, &ps[1], COLL, &navy));
    assert_true(share_can_read(&with, &ps[2], COLL, &navy));
    assert_true(share_can_read(&without, &ps[0], COLL, &navy));
    assert_true(share_can_read(&without, &ps[1], COLL, &navy)); /* the documented gap */
    free(g);
    assert_int_equal(share_known_groups(ps, 0, &g, &n), ALD_E_OK);
    assert_int_equal(n, 0);
    free(g);
}

/* A partner in more groups than the policy precomputes (16). */
static void many_groups(void **state)
{
    (void)state;
    char groups[512] = "";
    for (int i = 0; i < 20; i++)
        snprintf(groups + strlen(groups), sizeof groups - strlen(groups), "%sg%d", i ? "," : "",
                 i);
    struct store_partner p = partner(ME, groups, "*");
    char id[STIX_ID_MAX], markings[512];
    share_group_marking_id("g19", id);
    snprintf(markings, sizeof markings, "%s %s", TLP2_AMBER, id);
    struct store_row r = row(STIX_TLP_AMBER, markings, "", "");
    struct share_config cfg = {STIX_TLP_AMBER, NULL, 0};
    assert_true(share_can_read(&cfg, &p, COLL, &r));
    struct store_partner q = partner(ME, "g1", "*");
    struct share_group kg = {"g19", ""};
    snprintf(kg.id, sizeof kg.id, "%s", id);
    cfg.groups = &kg;
    cfg.ngroups = 1;
    assert_false(share_can_read(&cfg, &q, COLL, &r));
}

/* Hostile lists: over-long items (skipped: they cannot be any id), runs of
 * separators, a TLP:RED id after 100 kB of junk, 2,000 recipients. */
static void long_lists(void **state)
{
    (void)state;
    size_t cap = 200000;
    char *m = malloc(cap), *rcp = malloc(cap);
    assert_non_null(m);
    assert_non_null(rcp);
    size_t n = 0;
    for (int i = 0; i < 300; i++) {
        memset(m + n, 'a' + i % 26, 300);      /* longer than any id */
        n += 300;
        memcpy(m + n, " ,, ", 4);
        n += 4;
    }
    snprintf(m + n, cap - n, "%s", TLP2_RED);
    n = 0;
    for (int i = 0; i < 2000; i++)
        n += (size_t)snprintf(rcp + n, cap - n, "identity--%08d-0000-4000-8000-000000000000 ", i);
    snprintf(rcp + n, cap - n, "%s", ME);
    struct share_config cfg = {STIX_TLP_CLEAR, NULL, 0};
    struct store_partner me = partner(ME, "", "*"), other = partner(OTHER, "", "*");
    struct store_row r = row(STIX_TLP_NONE, m, "", rcp);
    assert_true(share_can_read(&cfg, &me, COLL, &r));
    assert_false(share_can_read(&cfg, &other, COLL, &r));
    /* the same junk without the RED id: the CLEAR default */
    m[strlen(m) - strlen(TLP2_RED)] = 0;
    assert_true(share_can_read(&cfg, &other, COLL, &r));
    free(rcp);
    free(m);
}

static void collection_grants(void **state)
{
    (void)state;
    struct store_partner p = partner(ME, "", COLL2 ", " COLL);
    snprintf(p.write, sizeof p.write, "%s", COLL2);
    assert_true(share_collection_readable(&p, COLL));
    assert_true(share_collection_readable(&p, COLL2));
    assert_false(share_collection_readable(&p, "x"));
    assert_false(share_collection_readable(&p, ""));
    assert_false(share_collection_readable(&p, NULL));
    assert_true(share_collection_writable(&p, COLL2));
    assert_false(share_collection_writable(&p, COLL));
    snprintf(p.write, sizeof p.write, "*");
    assert_true(share_collection_writable(&p, COLL));
    assert_false(share_collection_readable(NULL, COLL));
    struct store_row r = row(STIX_TLP_CLEAR, TLP2_CLEAR, "", "");
    assert_false(share_can_read(NULL, NULL, COLL, &r));
    assert_false(share_can_read(NULL, &p, COLL, NULL));
}

static void group_marking_text(void **state)
{
    (void)state;
    char id[STIX_ID_MAX];
    share_group_marking_id("navy", id);
    assert_string_equal(id, NAVY);
    share_group_marking_id("coastguard", id);
    assert_string_equal(id, COASTGUARD);
    char buf[512];
    size_t n = share_group_marking_json("navy", buf, sizeof buf);
    const char *want =
        "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\",\"id\":\"" NAVY "\","
        "\"created\":\"2026-01-01T00:00:00.000Z\",\"name\":\"alidade sharing group navy\","
        "\"definition_type\":\"statement\",\"definition\":{\"statement\":\"Sharing group navy\"}}";
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(share_group_marking_json("navy", buf, strlen(want)), 0);
    assert_int_equal(share_group_marking_json("navy", buf, strlen(want) + 1), strlen(want));
    /* the project's own STIX 2.1 validator accepts it */
    struct stix_info info;
    struct stix_problem probs[4];
    size_t np = stix_check(buf, n, 0, &info, probs, 4);
    if (np)
        fail_msg("%s: %s", probs[0].property, probs[0].message);
    assert_string_equal(info.type, "marking-definition");
    assert_string_equal(info.id, NAVY);
    assert_int_equal(info.tlp, STIX_TLP_NONE);
    assert_int_equal(share_group_marking_json("bad\"name", buf, sizeof buf), 0);
    assert_int_equal(share_group_marking_json("", buf, sizeof buf), 0);
}

static void names(void **state)
{
    (void)state;
    assert_true(share_name_valid("nato-mcc"));
    assert_true(share_name_valid("Coast_Guard.2"));
    assert_true(share_name_valid("a"));
    char n63[64], n64[65];
    memset(n63, 'x', 63);
    n63[63] = 0;
    memset(n64, 'x', 64);
    n64[64] = 0;
    assert_true(share_name_valid(n63));
    assert_false(share_name_valid(n64));
    assert_false(share_name_valid(""));
    assert_false(share_name_valid(NULL));
    assert_false(share_name_valid("-rf"));
    assert_false(share_name_valid(".hidden"));
    assert_false(share_name_valid("a b"));
    assert_false(share_name_valid("a/b"));
    assert_false(share_name_valid("a,b"));
    assert_false(share_name_valid("\xc3\xa9t\xc3\xa9"));
    assert_true(share_groups_valid(""));
    assert_true(share_groups_valid("navy"));
    assert_true(share_groups_valid("navy,coast-guard"));
    assert_false(share_groups_valid("navy,"));
    assert_false(share_groups_valid(",navy"));
    assert_false(share_groups_valid("navy,,army"));
    assert_false(share_groups_valid("navy, army"));
    assert_false(share_groups_valid(NULL));
}

/* ---- randomised: share_can_read against an oracle ---- */

/* splitmix64: reproducible from the seed printed on failure */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#define NGROUPS 6        /* g0..g5; partners use g0..g3 only: g4, g5 unknown to the node */
#define NIDS 6
#define NCOLLS 4

static const char *const tlp_ids[9] = {TLP2_CLEAR, TLP2_GREEN, TLP2_AMBER, TLP2_STRICT, TLP2_RED,
                                       TLP1_WHITE, TLP1_GREEN, TLP1_AMBER, TLP1_RED};
static const int tlp_level[9] = {0, 1, 2, 3, 4, 0, 1, 2, 4};
static const char *const gnames[NGROUPS] = {"g0", "g1", "g2", "g3", "g4", "g5"};

/* A partner as facts. */
struct fpartner {
    int identity;            /* -1: none */
    unsigned groups;         /* bit per group */
    bool read_all;
    unsigned read;           /* bit per collection */
    struct store_partner p;
};

/* An object as facts. */
struct fobject {
    int stored_tlp;          /* the row's tlp field */
    unsigned tlps;           /* bit per tlp_ids entry among its markings */
    unsigned groups;         /* bit per group marking */
    int creator;             /* -1: none */
    unsigned recipients;     /* bit per identity */
    char markings[1024], recipients_text[512], creator_text[STIX_ID_MAX];
    struct store_row r;
};

static void identity_of(int i, char out[STIX_ID_MAX])
{
    snprintf(out, STIX_ID_MAX, "identity--0000000%d-aaaa-4bbb-8ccc-dddddddddddd", i);
}

static void coll_of(int i, char out[64])
{
    snprintf(out, 64, "c%d000000-0000-4000-8000-000000000000", i);
}

static void make_partner(uint64_t *s, struct fpartner *f)
{
    memset(f, 0, sizeof *f);
    f->identity = (int)(rnd(s) % (NIDS + 1)) - 1;
    f->groups = (unsigned)(rnd(s) % 16);          /* subsets of g0..g3 */
    f->read_all = rnd(s) % 3 == 0;
    f->read = (unsigned)(rnd(s) % (1u << NCOLLS));
    struct store_partner *p = &f->p;
    snprintf(p->name, sizeof p->name, "partner");
    if (f->identity >= 0)
        identity_of(f->identity, p->identity);
    for (int g = 0; g < NGROUPS; g++)
        if (f->groups >> g & 1)
            snprintf(p->groups + strlen(p->groups), sizeof p->groups - strlen(p->groups), "%s%s",
                     p->groups[0] ? "," : "", gnames[g]);
    if (f->read_all)
        snprintf(p->read, sizeof p->read, "*");
    for (int c = 0; c < NCOLLS && !f->read_all; c++)
        if (f->read >> c & 1) {
            char id[64];
            coll_of(c, id);
            snprintf(p->read + strlen(p->read), sizeof p->read - strlen(p->read), "%s%s",
                     p->read[0] ? "," : "", id);
        }
}

/* Appends a marking id; the order is shuffled by inserting at the front or
 * the back at random. */
static void add_marking(uint64_t *s, char *buf, size_t cap, const char *id)
{
    char tmp[1024];
    if (!buf[0])
        snprintf(tmp, sizeof tmp, "%s", id);
    else if (rnd(s) & 1)
        snprintf(tmp, sizeof tmp, "%s %s", id, buf);
    else
        snprintf(tmp, sizeof tmp, "%s %s", buf, id);
    snprintf(buf, cap, "%s", tmp);
}

static void make_object(uint64_t *s, struct fobject *o)
{
    memset(o, 0, sizeof *o);
    /* mostly zero or one TLP marking, sometimes several */
    unsigned k = (unsigned)(rnd(s) % 10);
    if (k >= 3 && k < 9)
        o->tlps = 1u << (rnd(s) % 9);
    else if (k == 9)
        o->tlps = (unsigned)(rnd(s) % 512);
    unsigned gk = (unsigned)(rnd(s) % 4);
    o->groups = gk == 0 ? (unsigned)(rnd(s) % 64) : gk == 1 ? 1u << (rnd(s) % NGROUPS) : 0;
    o->creator = (int)(rnd(s) % (NIDS + 1)) - 1;
    o->recipients = rnd(s) % 3 == 0 ? (unsigned)(rnd(s) % (1u << NIDS)) : 0;
    int strictest = STIX_TLP_NONE;
    for (int i = 0; i < 9; i++)
        if (o->tlps >> i & 1) {
            add_marking(s, o->markings, sizeof o->markings, tlp_ids[i]);
            if (tlp_level[i] > strictest)
                strictest = tlp_level[i];
        }
    for (int g = 0; g < NGROUPS; g++)
        if (o->groups >> g & 1) {
            char id[STIX_ID_MAX];
            share_group_marking_id(gnames[g], id);
            add_marking(s, o->markings, sizeof o->markings, id);
        }
    if (rnd(s) % 4 == 0)
        add_marking(s, o->markings, sizeof o->markings, COPYRIGHT);
    /* the store's level: usually the strictest marking, sometimes not */
    unsigned sk = (unsigned)(rnd(s) % 10);
    o->stored_tlp = sk < 8 ? strictest : (int)(rnd(s) % 8) - 2;   /* -2..5 */
    if (o->creator >= 0)
        identity_of(o->creator, o->creator_text);
    for (int i = 0; i < NIDS; i++)
        if (o->recipients >> i & 1) {
            char id[STIX_ID_MAX];
            identity_of(i, id);
            size_t n = strlen(o->recipients_text);
            snprintf(o->recipients_text + n, sizeof o->recipients_text - n, "%s%s",
                     n ? " " : "", id);
        }
    o->r = row(o->stored_tlp, o->markings, o->creator_text, o->recipients_text);
}

/* The policy of docs/share.md written out plainly over the facts. */
static bool oracle(int default_tlp, unsigned known_groups, const struct fpartner *p, int coll,
                   const struct fobject *o)
{
    if (!p->read_all && !(p->read >> coll & 1))
        return false;
    /* group markings the node or the partner knows restrict */
    unsigned restricting = o->groups & (known_groups | p->groups);
    if (restricting && !(restricting & p->groups))
        return false;
    int level = o->stored_tlp;
    if (level < -1 || level > 4)
        level = 4;
    for (int i = 0; i < 9; i++)
        if ((o->tlps >> i & 1) && tlp_level[i] > level)
            level = tlp_level[i];
    if (level == -1)
        level = default_tlp < -1 || default_tlp > 4 ? 4 : default_tlp == -1 ? 2 : default_tlp;
    if (level != 4)
        return true;
    if (p->identity < 0)
        return false;
    return p->identity == o->creator || (o->recipients >> p->identity & 1);
}

#define NPARTNERS 300
#define NOBJECTS 400

static void randomised(void **state)
{
    (void)state;
    uint64_t seed = 0x5eed2026112300ull, s = seed;
    struct fpartner *ps = calloc(NPARTNERS, sizeof *ps);
    struct fobject *os = calloc(NOBJECTS, sizeof *os);
    struct store_partner *plain = calloc(NPARTNERS, sizeof *plain);
    assert_non_null(ps);
    assert_non_null(os);
    assert_non_null(plain);
    for (size_t i = 0; i < NPARTNERS; i++) {
        make_partner(&s, &ps[i]);
        plain[i] = ps[i].p;
    }
    for (size_t i = 0; i < NOBJECTS; i++)
        make_object(&s, &os[i]);
    struct share_group *known = NULL;
    size_t nknown = 0;
    assert_int_equal(share_known_groups(plain, NPARTNERS, &known, &nknown), ALD_E_OK);
    unsigned known_bits = 0;
    for (size_t i = 0; i < nknown; i++)
        known_bits |= 1u << (known[i].name[1] - '0');
    assert_int_equal(known_bits, 15);       /* g0..g3 */
    size_t checked = 0, yes = 0, red_yes = 0;
    for (size_t i = 0; i < NPARTNERS; i++)
        for (size_t j = 0; j < NOBJECTS; j++) {
            int coll = (int)((i * 7 + j) % NCOLLS), def = (int)((i + j) % 7) - 1; /* -1..5 */
            char cid[64];
            coll_of(coll, cid);
            struct share_config cfg = {(enum stix_tlp)def, known, nknown};
            bool want = oracle(def, known_bits, &ps[i], coll, &os[j]);
            bool got = share_can_read(&cfg, &ps[i].p, cid, &os[j].r);
            if (got != want)
                fail_msg("seed %#llx partner %zu object %zu: policy %d, oracle %d\n"
                         "groups '%s' read '%s' identity '%s'\nmarkings '%s' tlp %d creator "
                         "'%s' recipients '%s' default %d",
                         (unsigned long long)seed, i, j, got, want, ps[i].p.groups,
                         ps[i].p.read, ps[i].p.identity, os[j].markings, os[j].stored_tlp,
                         os[j].creator_text, os[j].recipients_text, def);
            checked++;
            yes += want;
            red_yes += want && ps[i].identity >= 0 &&
                       (ps[i].identity == os[j].creator || (os[j].recipients >> ps[i].identity & 1));
        }
    /* what one decision costs (printed, not asserted: the machine is shared) */
    struct timespec t0, t1;
    size_t hits = 0;
    struct share_config cfg = {STIX_TLP_AMBER, known, nknown};
    char cid[64];
    coll_of(0, cid);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < NPARTNERS; i++)
        for (size_t j = 0; j < NOBJECTS; j++)
            hits += share_can_read(&cfg, &ps[i].p, cid, &os[j].r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
                (NPARTNERS * NOBJECTS);
    print_message("randomised policy: %zu combinations, %zu readable; %.0f ns per decision "
                  "(%zu readable in collection c0)\n", checked, yes, ns, hits);
    assert_true(checked >= 100000);
    /* both answers are common, and named partners are exercised */
    assert_true(yes > checked / 20 && yes < checked - checked / 20);
    assert_true(red_yes > 100);
    free(known);
    free(plain);
    free(os);
    free(ps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(policy_table),
        cmocka_unit_test(unmarked_defaults),
        cmocka_unit_test(tlp1_and_strictest),
        cmocka_unit_test(upper_case_ids),
        cmocka_unit_test(groups_known_to_node),
        cmocka_unit_test(many_groups),
        cmocka_unit_test(long_lists),
        cmocka_unit_test(collection_grants),
        cmocka_unit_test(group_marking_text),
        cmocka_unit_test(names),
        cmocka_unit_test(randomised),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
