/*
 * test_feed.c - MISP events into STIX 2.1 (lib/misp/feed.c): the CIRCL OSINT
 * event of the committed feed (tests/data/misp/feed), the hand-made event
 * with every mapped type, composites, objects, bad values, markings and
 * times (tests/data/misp/events/all-types.json), PyMISP's shadow event,
 * broken documents, determinism and updates, and manifest.json. Every
 * object the converter writes goes through stix_check (lib/stix/check.c)
 * and must have no problem, and every STIX pattern through ald_pattern_parse
 * (lib/pattern).
 */
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alidade/misp.h"
#include "alidade/pattern.h"
#include "alidade/stix.h"
#include "core/uuid.h"

/* What a conversion wrote. */
struct out {
    json_t *objs;           /* parsed objects, in order */
    char *text;             /* the JSON lines as written */
    size_t len;
    size_t nwarn;
    char warns[16][256];
};

static int emit(void *ctx, const char *json, size_t len)
{
    struct out *o = ctx;
    struct stix_problem p[4];
    size_t np = stix_check(json, len, 0, NULL, p, 4);
    for (size_t i = 0; i < np && i < 4; i++)
        print_message("stix_check: %s: %s: %s\n", p[i].id, p[i].property, p[i].message);
    assert_int_equal(np, 0);
    json_error_t je;
    json_t *v = json_loadb(json, len, 0, &je);
    assert_non_null(v);
    /* every STIX pattern written parses with the node's own pattern parser */
    const char *pt = json_string_value(json_object_get(v, "pattern_type"));
    if (pt && strcmp(pt, "stix") == 0) {
        const char *pat = json_string_value(json_object_get(v, "pattern"));
        ald_pattern *pp = NULL;
        struct ald_errpos pe;
        ald_err e = ald_pattern_parse(pat, strlen(pat), &pp, &pe);
        if (e != ALD_E_OK)
            print_message("pattern %s: column %u: %s\n", pat, pe.col, pe.msg);
        assert_int_equal(e, ALD_E_OK);
        ald_pattern_free(pp);
    }
    json_array_append_new(o->objs, v);
    o->text = realloc(o->text, o->len + len + 2);
    memcpy(o->text + o->len, json, len);
    o->len += len;
    o->text[o->len++] = '\n';
    o->text[o->len] = 0;
    return 0;
}

static void warn(void *ctx, const char *where, const char *why)
{
    struct out *o = ctx;
    if (o->nwarn < 16)
        snprintf(o->warns[o->nwarn], sizeof o->warns[0], "%s: %s", where, why);
    o->nwarn++;
}

static void out_init(struct out *o)
{
    memset(o, 0, sizeof *o);
    o->objs = json_array();
}

static void out_free(struct out *o)
{
    json_decref(o->objs);
    free(o->text);
}

/* Converts one file of tests/data/misp with a fresh converter. */
static ald_err convert_file(const char *rel, struct out *o, struct ald_misp_stats *st)
{
    size_t len;
    char *text = tu_read_file(tu_testdata(rel), &len);
    assert_non_null(text);
    ald_misp_conv *c = ald_misp_conv_new(emit, warn, o);
    assert_non_null(c);
    struct ald_errpos ep;
    ald_err e = ald_misp_convert_event(c, text, len, &ep);
    if (st)
        *st = *ald_misp_conv_stats(c);
    ald_misp_conv_free(c);
    free(text);
    return e;
}

static json_t *by_id(const struct out *o, const char *id)
{
    size_t i;
    json_t *v;
    json_array_foreach(o->objs, i, v) {
        if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0)
            return v;
    }
    return NULL;
}

static const char *sget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static size_t count_type(const struct out *o, const char *type)
{
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(o->objs, i, v) n += strcmp(sget(v, "type"), type) == 0;
    return n;
}

static const char *pattern_of(const struct out *o, const char *uuid)
{
    char id[80];
    snprintf(id, sizeof id, "indicator--%s", uuid);
    json_t *v = by_id(o, id);
    if (!v)
        print_message("no %s\n", id);
    assert_non_null(v);
    return sget(v, "pattern");
}

#define HAND(n) "5f0c1e2a-0000-4000-8000-0000000000" #n
#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"

/* The CIRCL OSINT event "Ransomware - Xorist" as the feed holds it. */
static void circl_osint_event(void **state)
{
    (void)state;
    struct out o;
    struct ald_misp_stats st;
    out_init(&o);
    assert_int_equal(convert_file("misp/feed/57c4445b-c548-4654-af0b-4be3950d210f.json", &o, &st),
                     ALD_E_OK);
    /* 9 attributes: 5 to_ids (filename, md5, sha1, sha256, regkey|value),
     * 4 context (2 links, a comment, a text) */
    assert_int_equal(st.events, 1);
    assert_int_equal(st.attributes, 9);
    assert_int_equal(st.indicators, 5);
    assert_int_equal(st.skip_not_ids, 4);
    assert_int_equal(st.skip_invalid + st.skip_unmapped + st.skip_deleted, 0);
    assert_int_equal(count_type(&o, "indicator"), 5);
    assert_int_equal(count_type(&o, "identity"), 1);
    assert_int_equal(count_type(&o, "report"), 1);
    assert_int_equal(count_type(&o, "marking-definition"), 1);
    assert_string_equal(pattern_of(&o, "57c4448b-454c-4d17-90d1-4d2f950d210f"),
                        "[file:hashes.MD5 = '0749bae92ca336a02c83d126e04ec628']");
    assert_string_equal(pattern_of(&o, "57c4448a-bef0-4ba7-a071-444e950d210f"),
                        "[file:hashes.'SHA-1' = '77b0c41b7d340b8a3d903f21347bbf06aa766b5b']");
    assert_string_equal(pattern_of(&o, "57c4448a-fb04-457d-87e7-4127950d210f"),
                        "[file:name = '3Z4wnG9603it23y.exe']");
    assert_string_equal(pattern_of(&o, "57c54b0f-27a4-458b-8e63-4455950d210f"),
                        "[windows-registry-key:key = "
                        "'Software\\\\Wow6432Node\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run'"
                        " AND windows-registry-key:values[*].data = "
                        "'%TEMP%\\\\3Z4wnG9603it23y.exe']");
    /* the creator: identity--UUIDv5("misp-orgc|" + Orgc uuid) */
    char u[37], want[64];
    const char *name = "misp-orgc|55f6ea5e-2c60-40e5-964f-47a8950d210f";
    ald_uuid5(ald_uuid_ns, name, strlen(name), u);
    snprintf(want, sizeof want, "identity--%s", u);
    json_t *ident = by_id(&o, want);
    assert_non_null(ident);
    assert_string_equal(sget(ident, "name"), "CIRCL");
    /* tlp:white -> TLP:CLEAR; timestamps; labels from the tags */
    json_t *md5 = by_id(&o, "indicator--57c4448b-454c-4d17-90d1-4d2f950d210f");
    assert_string_equal(sget(md5, "created_by_ref"), want);
    assert_string_equal(json_string_value(json_array_get(json_object_get(md5,
                        "object_marking_refs"), 0)),
                        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487");
    assert_string_equal(sget(md5, "created"), "2016-08-29T00:00:00.000Z");
    assert_string_equal(sget(md5, "modified"), "2016-08-29T14:19:55.000Z");
    assert_string_equal(sget(md5, "valid_from"), "2016-08-29T14:19:55.000Z");
    json_t *labels = json_object_get(md5, "labels");
    assert_string_equal(json_string_value(json_array_get(labels, 0)),
                        "circl:incident-classification=\"malware\"");
    /* the report: the event's info, every indicator */
    json_t *rep = by_id(&o, "report--57c4445b-c548-4654-af0b-4be3950d210f");
    assert_non_null(rep);
    assert_string_equal(sget(rep, "name"), "Ransomware - Xorist");
    assert_int_equal(json_array_size(json_object_get(rep, "object_refs")), 5);
    assert_string_equal(sget(rep, "published"), "2016-08-30T09:10:31.000Z");
    /* order: markings and identities before what refers to them, report last */
    assert_string_equal(sget(json_array_get(o.objs, 0), "type"), "marking-definition");
    assert_string_equal(sget(json_array_get(o.objs, 1), "type"), "identity");
    assert_string_equal(sget(json_array_get(o.objs, json_array_size(o.objs) - 1), "type"),
                        "report");
    out_free(&o);
}

static void every_type(void **state)
{
    (void)state;
    struct out o;
    struct ald_misp_stats st;
    out_init(&o);
    assert_int_equal(convert_file("misp/events/all-types.json", &o, &st), ALD_E_OK);
    assert_int_equal(st.attributes, 61);
    assert_int_equal(st.indicators, 44);
    assert_int_equal(st.combined, 5);
    assert_int_equal(st.skip_not_ids, 3);
    assert_int_equal(st.skip_deleted, 2);
    assert_int_equal(st.skip_invalid, 6);
    assert_int_equal(st.skip_unmapped, 3);
    assert_int_equal(st.nunmapped, 3);
    assert_string_equal(st.unmapped[0].type, "text");
    assert_string_equal(st.unmapped[1].type, "vulnerability");
    assert_string_equal(st.unmapped[2].type, "btc");
    /* every bad value reported, with the attribute and why */
    assert_int_equal(o.nwarn, 6);
    assert_non_null(strstr(o.warns[0], "attribute 5f0c1e2a-0000-4000-8000-000000000040: ip-dst "
                                       "'not-an-ip': not an IPv4 or IPv6 address"));
    assert_non_null(strstr(o.warns[2], "not a port"));
    /* a stix2-pattern attribute is checked with lib/pattern's parser */
    assert_non_null(strstr(o.warns[5], "stix2-pattern '[ipv4-addr:value = '198.51.100.45'': "
                                       "not a valid STIX 2.1 pattern: column "));
    assert_string_equal(pattern_of(&o, HAND(35)), "[ipv4-addr:value = '198.51.100.35'] "
                        "FOLLOWEDBY [domain-name:value = 'x.example.com'] WITHIN 60 SECONDS");

    assert_string_equal(pattern_of(&o, HAND(01)), "[ipv4-addr:value = '198.51.100.7']");
    assert_string_equal(pattern_of(&o, HAND(02)), "[ipv6-addr:value = '2001:db8::1']");
    assert_string_equal(pattern_of(&o, HAND(03)), "[ipv4-addr:value = '203.0.113.0/24']");
    assert_string_equal(pattern_of(&o, HAND(04)), "[network-traffic:dst_ref.value = "
                        "'198.51.100.8' AND network-traffic:dst_port = 8443]");
    assert_string_equal(pattern_of(&o, HAND(05)), "[network-traffic:src_ref.value = "
                        "'2001:db8::2' AND network-traffic:src_port = 4444]");
    assert_string_equal(pattern_of(&o, HAND(07)), "[domain-name:value = 'c2.evil.example.net']");
    assert_string_equal(pattern_of(&o, HAND(08)), "[domain-name:value = 'update.evil.example.org'"
                        " AND domain-name:resolves_to_refs[*].value = '192.0.2.55']");
    /* quote and backslash escaped in the string literal */
    assert_string_equal(pattern_of(&o, HAND(10)),
                        "[url:value = 'http://evil.example.com/it\\'s\\\\here?q=1']");
    assert_string_equal(pattern_of(&o, HAND(12)),
                        "[email-addr:value = 'attacker@evil.example.com']");
    assert_string_equal(pattern_of(&o, HAND(14)),
                        "[email-message:subject = 'Invoice \\'urgent\\'']");
    /* hashes in lower case */
    assert_string_equal(pattern_of(&o, HAND(15)),
                        "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427f']");
    assert_string_equal(pattern_of(&o, HAND(20)), "[file:name = 'a|b.dll' AND file:hashes."
                        "'SHA-256' = 'b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68']");
    assert_string_equal(pattern_of(&o, HAND(22)), "[autonomous-system:number = 64500]");
    assert_string_equal(pattern_of(&o, HAND(27)), "[mac-addr:value = '00:1a:2b:3c:4d:5e']");
    assert_string_equal(pattern_of(&o, HAND(29)), "[network-traffic:dst_port = 31337]");
    char id[80];
    snprintf(id, sizeof id, "indicator--%s", HAND(30));
    assert_string_equal(sget(by_id(&o, id), "pattern_type"), "snort");
    assert_null(json_object_get(by_id(&o, id), "pattern_version"));
    /* objects: a file object's hashes OR'ed, its name AND'ed, under the
     * object's uuid; an ip-port object's address with its port */
    assert_string_equal(pattern_of(&o, "5f0c1e2b-0000-4000-8000-000000000001"),
                        "[file:name = 'payload.bin' AND (file:hashes.MD5 = "
                        "'0749bae92ca336a02c83d126e04ec628' OR file:hashes.'SHA-256' = "
                        "'b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68')]");
    assert_string_equal(pattern_of(&o, "5f0c1e2b-0000-4000-8000-000000000002"),
                        "[network-traffic:dst_ref.value = '192.0.2.200' AND "
                        "network-traffic:dst_port = 8080]");
    /* a domain-ip object: one indicator per attribute */
    assert_string_equal(pattern_of(&o, "5f0c1e2a-0000-4000-8000-000000000121"),
                        "[domain-name:value = 'dip.evil.example.com']");
    /* skipped ones are absent */
    snprintf(id, sizeof id, "indicator--%s", HAND(40));
    assert_null(by_id(&o, id));
    snprintf(id, sizeof id, "indicator--%s", HAND(60));
    assert_null(by_id(&o, id));
    snprintf(id, sizeof id, "indicator--%s", HAND(61));
    assert_null(by_id(&o, id));
    out_free(&o);
}

static const char *marking(const struct out *o, const char *uuid)
{
    char id[80];
    snprintf(id, sizeof id, "indicator--%s", uuid);
    json_t *m = json_object_get(by_id(o, id), "object_marking_refs");
    assert_int_equal(json_array_size(m), 1);
    return json_string_value(json_array_get(m, 0));
}

static void markings_times_ids(void **state)
{
    (void)state;
    struct out o;
    out_init(&o);
    assert_int_equal(convert_file("misp/events/all-types.json", &o, NULL), ALD_E_OK);
    /* event tlp:green; an attribute's tlp:red wins; distribution 0 (this
     * organisation only) is AMBER+STRICT over the event's GREEN */
    assert_string_equal(marking(&o, HAND(01)), GREEN);
    assert_string_equal(marking(&o, HAND(70)), stix_tlp_id(STIX_TLP_RED));
    assert_string_equal(marking(&o, HAND(71)), stix_tlp_id(STIX_TLP_AMBER_STRICT));
    char id[80];
    snprintf(id, sizeof id, "indicator--%s", HAND(71));
    assert_int_equal(json_integer_value(json_object_get(by_id(&o, id), "x_misp_distribution")), 0);
    /* a marking-definition for each level used, once */
    assert_int_equal(count_type(&o, "marking-definition"), 3);
    /* the attribute's other tag is a label */
    snprintf(id, sizeof id, "indicator--%s", HAND(70));
    json_t *labels = json_object_get(by_id(&o, id), "labels");
    bool found = false;
    for (size_t i = 0; i < json_array_size(labels); i++)
        found |= strcmp(json_string_value(json_array_get(labels, i)), "kill-chain:c2") == 0;
    assert_true(found);
    /* first_seen (+02:00) -> valid_from in UTC; last_seen -> valid_until */
    snprintf(id, sizeof id, "indicator--%s", HAND(72));
    json_t *t = by_id(&o, id);
    assert_string_equal(sget(t, "valid_from"), "2023-11-01T08:00:00.123Z");
    assert_string_equal(sget(t, "valid_until"), "2023-12-01T00:00:00.000Z");
    assert_string_equal(sget(t, "created"), "2023-11-14T00:00:00.000Z");
    assert_string_equal(sget(t, "modified"), "2023-11-14T22:13:20.000Z");
    /* a MISP uuid that is not RFC 4122 (version 0): UUIDv5 of event, type,
     * value instead */
    char u[37], want[80];
    const char *name = "misp|attribute|5f0c1e29-0000-4000-8000-000000000001|domain|"
                       "v0uuid.example.com";
    ald_uuid5(ald_uuid_ns, name, strlen(name), u);
    snprintf(want, sizeof want, "indicator--%s", u);
    assert_non_null(by_id(&o, want));
    out_free(&o);
}

/* The same input twice gives the same bytes; a feed update (an attribute
 * with a later timestamp) gives the same id with a later modified. */
static void deterministic_and_updates(void **state)
{
    (void)state;
    struct out a, b;
    out_init(&a);
    out_init(&b);
    assert_int_equal(convert_file("misp/events/all-types.json", &a, NULL), ALD_E_OK);
    assert_int_equal(convert_file("misp/events/all-types.json", &b, NULL), ALD_E_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.text, b.text, a.len);
    out_free(&b);

    size_t len;
    char *text = tu_read_file(tu_testdata("misp/events/all-types.json"), &len);
    json_t *ev = json_loads(text, 0, NULL);
    free(text);
    json_t *attr = json_array_get(json_object_get(json_object_get(ev, "Event"), "Attribute"), 0);
    json_object_set_new(attr, "timestamp", json_string("1700086400"));
    json_object_set_new(attr, "value", json_string("198.51.100.77"));
    char *upd = json_dumps(ev, 0);
    json_decref(ev);
    out_init(&b);
    ald_misp_conv *c = ald_misp_conv_new(emit, warn, &b);
    assert_int_equal(ald_misp_convert_event(c, upd, strlen(upd), NULL), ALD_E_OK);
    ald_misp_conv_free(c);
    free(upd);
    json_t *old = by_id(&a, "indicator--" HAND(01)), *neu = by_id(&b, "indicator--" HAND(01));
    assert_non_null(neu);
    assert_string_equal(sget(old, "created"), sget(neu, "created"));
    assert_string_equal(sget(neu, "modified"), "2023-11-15T22:13:20.000Z");
    assert_true(strcmp(sget(neu, "modified"), sget(old, "modified")) > 0);
    assert_string_equal(sget(neu, "pattern"), "[ipv4-addr:value = '198.51.100.77']");
    out_free(&a);
    out_free(&b);
}

/* Identities and markings once per converter, over several events. */
static void once_per_converter(void **state)
{
    (void)state;
    struct out o;
    out_init(&o);
    size_t len;
    char *text = tu_read_file(tu_testdata("misp/feed/57c4445b-c548-4654-af0b-4be3950d210f.json"),
                              &len);
    ald_misp_conv *c = ald_misp_conv_new(emit, warn, &o);
    assert_int_equal(ald_misp_convert_event(c, text, len, NULL), ALD_E_OK);
    assert_int_equal(ald_misp_convert_event(c, text, len, NULL), ALD_E_OK);
    assert_int_equal(count_type(&o, "identity"), 1);
    assert_int_equal(count_type(&o, "marking-definition"), 1);
    assert_int_equal(count_type(&o, "indicator"), 10);
    assert_int_equal(ald_misp_conv_stats(c)->events, 2);
    assert_int_equal(ald_misp_conv_stats(c)->identities, 1);
    ald_misp_conv_free(c);
    free(text);
    out_free(&o);
}

/* Other shapes of documents: a bare event (PyMISP's), {"response": [...]},
 * an array of events. */
static void document_shapes(void **state)
{
    (void)state;
    struct out o;
    struct ald_misp_stats st;
    out_init(&o);
    /* PyMISP shadow.json: a bare event; a proposal (ShadowAttribute) is not
     * an attribute; the file object's name is to_ids, the other not */
    assert_int_equal(convert_file("misp/events/pymisp-shadow.json", &o, &st), ALD_E_OK);
    assert_int_equal(st.attributes, 3);
    assert_int_equal(st.indicators, 1);
    /* distribution 0 on the event: AMBER+STRICT */
    assert_string_equal(marking(&o, "5a4cb2b8-4748-4c72-96e6-4588950d210f"),
                        stix_tlp_id(STIX_TLP_AMBER_STRICT));
    out_free(&o);

    const char *resp = "{\"response\":[{\"Event\":{\"uuid\":\"5f0c1e29-0000-4000-8000-00000000000a\","
                       "\"info\":\"a\",\"date\":\"2024-01-01\",\"Attribute\":[{\"type\":\"domain\","
                       "\"value\":\"a.example\",\"to_ids\":\"1\",\"timestamp\":1704067200,"
                       "\"uuid\":\"5f0c1e2a-0000-4000-8000-0000000000a1\"}]}},{\"Event\":{\"uuid\":"
                       "\"5f0c1e29-0000-4000-8000-00000000000b\",\"info\":\"b\",\"Attribute\":[]}}]}";
    out_init(&o);
    ald_misp_conv *c = ald_misp_conv_new(emit, warn, &o);
    assert_int_equal(ald_misp_convert_event(c, resp, strlen(resp), NULL), ALD_E_OK);
    assert_int_equal(ald_misp_conv_stats(c)->events, 2);
    assert_int_equal(count_type(&o, "indicator"), 1);
    /* no Orgc: no identity, no created_by_ref */
    assert_int_equal(count_type(&o, "identity"), 0);
    assert_null(json_object_get(json_array_get(o.objs, 0), "created_by_ref"));
    ald_misp_conv_free(c);
    out_free(&o);
}

/* Broken documents are rejected with a reason, nothing written, and the
 * converter goes on with the next one. */
static void broken_documents(void **state)
{
    (void)state;
    struct out o;
    out_init(&o);
    ald_misp_conv *c = ald_misp_conv_new(emit, warn, &o);
    struct ald_errpos ep;
    const char *notjson = "{\"Event\": {\"info\": \"x\",\n \"Attribute\": [}";
    assert_int_equal(ald_misp_convert_event(c, notjson, strlen(notjson), &ep), ALD_E_JSON);
    assert_int_equal(ep.line, 2);
    assert_true(ep.col > 0);
    const char *notevent = "{\"type\": \"bundle\", \"objects\": []}";
    assert_int_equal(ald_misp_convert_event(c, notevent, strlen(notevent), &ep), ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "not a MISP event"));
    const char *badattrs = "{\"Event\": {\"info\": \"x\", \"Attribute\": {}}}";
    assert_int_equal(ald_misp_convert_event(c, badattrs, strlen(badattrs), &ep), ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "Event.Attribute is not an array"));
    /* an array where one element is not an event: the whole document */
    const char *mixed = "[{\"Event\":{\"info\":\"a\",\"Attribute\":[{\"type\":\"domain\",\"value\":"
                        "\"x.example\",\"to_ids\":true}]}}, {\"SharingGroup\":{}}]";
    assert_int_equal(ald_misp_convert_event(c, mixed, strlen(mixed), &ep), ALD_E_MISP);
    assert_non_null(strstr(ep.msg, "element 1"));
    assert_int_equal(json_array_size(o.objs), 0);
    assert_int_equal(ald_misp_conv_stats(c)->events_bad, 4);
    assert_int_equal(ald_misp_conv_stats(c)->events, 0);
    /* odd members are skipped, not fatal: attributes that are not objects,
     * a value that is a number, a type that is missing */
    const char *odd = "{\"Event\":{\"uuid\":\"5f0c1e29-0000-4000-8000-00000000000c\",\"info\":\"o\","
                      "\"Attribute\":[3, {\"type\":\"domain\",\"value\":7,\"to_ids\":true},"
                      "{\"value\":\"x\",\"to_ids\":true}, {\"type\":\"ip-dst\",\"value\":"
                      "\"192.0.2.1\",\"to_ids\":1}]}}";
    assert_int_equal(ald_misp_convert_event(c, odd, strlen(odd), &ep), ALD_E_OK);
    const struct ald_misp_stats *st = ald_misp_conv_stats(c);
    assert_int_equal(st->attributes, 4);
    assert_int_equal(st->indicators, 1);
    assert_int_equal(st->skip_invalid, 2);
    assert_int_equal(st->skip_unmapped, 1);
    /* no timestamps anywhere: 1970, still valid STIX (checked in emit) */
    assert_string_equal(sget(json_array_get(o.objs, 0), "valid_from"), "1970-01-01T00:00:00.000Z");
    ald_misp_conv_free(c);
    out_free(&o);
}

struct uuids {
    size_t n;
    char first[37];
};

static int on_uuid(void *ctx, const char *u)
{
    struct uuids *x = ctx;
    if (x->n++ == 0)
        snprintf(x->first, sizeof x->first, "%s", u);
    return 0;
}

static void manifest(void **state)
{
    (void)state;
    size_t len;
    char *text = tu_read_file(tu_testdata("misp/feed/manifest.json"), &len);
    assert_non_null(text);
    struct uuids x = {0};
    assert_int_equal(ald_misp_manifest(text, len, on_uuid, &x, NULL), ALD_E_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.first, "57c4445b-c548-4654-af0b-4be3950d210f");
    free(text);
    /* a key that is not a uuid: nothing is walked (it would become a path) */
    const char *evil = "{\"5f0c1e29-0000-4000-8000-00000000000A\": {}, \"../../etc/passwd\": {}}";
    struct ald_errpos ep;
    x.n = 0;
    assert_int_equal(ald_misp_manifest(evil, strlen(evil), on_uuid, &x, &ep), ALD_E_MISP);
    assert_int_equal(x.n, 0);
    assert_non_null(strstr(ep.msg, "../../etc/passwd"));
    /* upper-case uuids are handed over in lower case */
    const char *up = "{\"5F0C1E29-0000-4000-8000-00000000000A\": {}}";
    assert_int_equal(ald_misp_manifest(up, strlen(up), on_uuid, &x, NULL), ALD_E_OK);
    assert_string_equal(x.first, "5f0c1e29-0000-4000-8000-00000000000a");
    assert_int_equal(ald_misp_manifest("[]", 2, on_uuid, &x, &ep), ALD_E_MISP);
    assert_int_equal(ald_misp_manifest("{", 1, on_uuid, &x, &ep), ALD_E_JSON);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(circl_osint_event),
        cmocka_unit_test(every_type),
        cmocka_unit_test(markings_times_ids),
        cmocka_unit_test(deterministic_and_updates),
        cmocka_unit_test(once_per_converter),
        cmocka_unit_test(document_shapes),
        cmocka_unit_test(broken_documents),
        cmocka_unit_test(manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
