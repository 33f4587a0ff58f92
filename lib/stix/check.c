/*
 * check.c - validation of one STIX 2.1 object (stix_check) and the facts
 * the store and the access policy need from it (struct stix_info).
 *
 * Follows STIX 2.1 (OASIS Standard, 10 June 2021): section 2 (identifiers,
 * timestamps, lists, external references, hashes), 3 (common properties,
 * property and type naming), 4-6 (required properties of the 19 SDOs, 2 SROs
 * and 18 SCOs), 7 (marking definitions, granular markings, extension
 * definitions, language content). Every rule is a row of a table below.
 * Verified: every object of both ATT&CK ICS bundles and of the OASIS examples
 * the OASIS schemas accept is valid (tests/stix/test_check.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alidade/stix.h"

/* ---- object kinds and the types the spec defines ---- */

enum kind { K_SDO, K_SRO, K_SCO, K_META, K_CUSTOM };

/* Required properties beyond the common ones of the kind (section 3.2 for
 * SDOs/SROs, 6.1 for SCOs, 7 for meta objects). */
static const struct objtype {
    const char *type;
    enum kind kind;
    const char *required[6];
} objtypes[] = {
    {"attack-pattern", K_SDO, {"name"}},
    {"campaign", K_SDO, {"name"}},
    {"course-of-action", K_SDO, {"name"}},
    {"grouping", K_SDO, {"context", "object_refs"}},
    {"identity", K_SDO, {"name"}},
    {"incident", K_SDO, {"name"}},
    {"indicator", K_SDO, {"pattern", "pattern_type", "valid_from"}},
    {"infrastructure", K_SDO, {"name"}},
    {"intrusion-set", K_SDO, {"name"}},
    {"location", K_SDO, {NULL}},
    {"malware", K_SDO, {"is_family"}},
    {"malware-analysis", K_SDO, {"product"}},
    {"note", K_SDO, {"content", "object_refs"}},
    {"observed-data", K_SDO, {"first_observed", "last_observed", "number_observed"}},
    {"opinion", K_SDO, {"opinion", "object_refs"}},
    {"report", K_SDO, {"name", "published", "object_refs"}},
    {"threat-actor", K_SDO, {"name"}},
    {"tool", K_SDO, {"name"}},
    {"vulnerability", K_SDO, {"name"}},
    {"relationship", K_SRO, {"relationship_type", "source_ref", "target_ref"}},
    {"sighting", K_SRO, {"sighting_of_ref"}},
    {"marking-definition", K_META, {NULL}},
    {"language-content", K_META, {"modified", "object_ref", "contents"}},
    {"extension-definition", K_META,
     {"modified", "created_by_ref", "name", "schema", "version", "extension_types"}},
    {"artifact", K_SCO, {NULL}},
    {"autonomous-system", K_SCO, {"number"}},
    {"directory", K_SCO, {"path"}},
    {"domain-name", K_SCO, {"value"}},
    {"email-addr", K_SCO, {"value"}},
    {"email-message", K_SCO, {"is_multipart"}},
    {"file", K_SCO, {NULL}},
    {"ipv4-addr", K_SCO, {"value"}},
    {"ipv6-addr", K_SCO, {"value"}},
    {"mac-addr", K_SCO, {"value"}},
    {"mutex", K_SCO, {"name"}},
    {"network-traffic", K_SCO, {"protocols"}},
    {"process", K_SCO, {NULL}},
    {"software", K_SCO, {"name"}},
    {"url", K_SCO, {"value"}},
    {"user-account", K_SCO, {NULL}},
    {"windows-registry-key", K_SCO, {NULL}},
    {"x509-certificate", K_SCO, {NULL}},
};

#define NOBJTYPES (sizeof objtypes / sizeof objtypes[0])

static const struct objtype *objtype_of(const char *type)
{
    for (size_t i = 0; i < NOBJTYPES; i++)
        if (strcmp(objtypes[i].type, type) == 0)
            return &objtypes[i];
    return NULL;
}

/* The kind of a type named in an id; unknown types are custom objects. */
static enum kind kind_of(const char *type)
{
    const struct objtype *t = objtype_of(type);
    return t ? t->kind : K_CUSTOM;
}

/* JSON type of a known property wherever it appears at the top level
 * ('s' string, 'b' boolean, 'i' integer, 'n' number, 'l' list of strings,
 * 'L' list, 'o' object, 't' timestamp). */
static const struct { const char *name; char jtype; } proptypes[] = {
    {"name", 's'}, {"description", 's'}, {"pattern", 's'}, {"pattern_type", 's'},
    {"pattern_version", 's'}, {"is_family", 'b'}, {"revoked", 'b'}, {"labels", 'l'},
    {"confidence", 'i'}, {"lang", 's'}, {"context", 's'}, {"content", 's'},
    {"abstract", 's'}, {"authors", 'l'}, {"opinion", 's'}, {"number_observed", 'i'},
    {"count", 'i'}, {"relationship_type", 's'}, {"summary", 'b'}, {"product", 's'},
    {"aliases", 'l'}, {"roles", 'l'}, {"goals", 'l'}, {"sectors", 'l'},
    {"malware_types", 'l'}, {"tool_types", 'l'}, {"indicator_types", 'l'},
    {"infrastructure_types", 'l'}, {"report_types", 'l'}, {"threat_actor_types", 'l'},
    {"identity_class", 's'}, {"contact_information", 's'}, {"latitude", 'n'},
    {"longitude", 'n'}, {"precision", 'n'}, {"region", 's'}, {"country", 's'},
    {"kill_chain_phases", 'L'}, {"external_references", 'L'}, {"granular_markings", 'L'},
    {"extensions", 'o'}, {"contents", 'o'},
    {"extension_types", 'l'}, {"version", 's'}, {"schema", 's'}, {"value", 's'},
    {"is_multipart", 'b'}, {"protocols", 'l'}, {"path", 's'}, {"number", 'i'},
    {"defanged", 'b'}, {"hashes", 'o'}, {"definition_type", 's'}, {"definition", 'o'},
    {"created", 't'}, {"modified", 't'}, {"valid_from", 't'}, {"valid_until", 't'},
    {"first_seen", 't'}, {"last_seen", 't'}, {"first_observed", 't'},
    {"last_observed", 't'}, {"published", 't'}, {"start_time", 't'}, {"stop_time", 't'},
    {"object_modified", 't'}, {"analysis_started", 't'}, {"analysis_ended", 't'},
    {"submitted", 't'},
};

/* Which object types a reference property may point to (sections 4-7).
 * `of` NULL: the rule holds in every object type. `to` lists types, or
 * "@sdo" (any SDO or custom object), "@sco" (any SCO), "@node" (anything
 * but an SRO or a meta object: relationship ends). */
static const struct { const char *of, *prop, *to; } refrules[] = {
    {NULL, "created_by_ref", "identity"},
    {NULL, "object_marking_refs", "marking-definition"},
    {NULL, "marking_ref", "marking-definition"},
    {NULL, "x_alidade_recipients", "identity"},
    {"relationship", "source_ref", "@node"},
    {"relationship", "target_ref", "@node"},
    {"sighting", "sighting_of_ref", "@sdo"},
    {"sighting", "observed_data_refs", "observed-data"},
    {"sighting", "where_sighted_refs", "identity location"},
    {"observed-data", "object_refs", "@sco relationship"},
    {"malware", "sample_refs", "file artifact"},
    {"malware", "operating_system_refs", "software"},
    {"malware-analysis", "host_vm_ref", "software"},
    {"malware-analysis", "operating_system_ref", "software"},
    {"malware-analysis", "installed_software_refs", "software"},
    {"malware-analysis", "sample_ref", "file network-traffic artifact"},
    {"malware-analysis", "analysis_sco_refs", "@sco"},
    {"directory", "contains_refs", "file directory"},
    {"domain-name", "resolves_to_refs", "ipv4-addr ipv6-addr domain-name"},
    {"email-addr", "belongs_to_ref", "user-account"},
    {"email-message", "from_ref", "email-addr"},
    {"email-message", "sender_ref", "email-addr"},
    {"email-message", "to_refs", "email-addr"},
    {"email-message", "cc_refs", "email-addr"},
    {"email-message", "bcc_refs", "email-addr"},
    {"email-message", "raw_email_ref", "artifact"},
    {"file", "parent_directory_ref", "directory"},
    {"file", "contains_refs", "@sco"},
    {"file", "content_ref", "artifact"},
    {"ipv4-addr", "resolves_to_refs", "mac-addr"},
    {"ipv4-addr", "belongs_to_refs", "autonomous-system"},
    {"ipv6-addr", "resolves_to_refs", "mac-addr"},
    {"ipv6-addr", "belongs_to_refs", "autonomous-system"},
    {"network-traffic", "src_ref", "ipv4-addr ipv6-addr mac-addr domain-name"},
    {"network-traffic", "dst_ref", "ipv4-addr ipv6-addr mac-addr domain-name"},
    {"network-traffic", "src_payload_ref", "artifact"},
    {"network-traffic", "dst_payload_ref", "artifact"},
    {"network-traffic", "encapsulates_refs", "network-traffic"},
    {"network-traffic", "encapsulated_by_ref", "network-traffic"},
    {"process", "opened_connection_refs", "network-traffic"},
    {"process", "creator_user_ref", "user-account"},
    {"process", "image_ref", "file"},
    {"process", "parent_ref", "process"},
    {"process", "child_refs", "process"},
    {"windows-registry-key", "creator_user_ref", "user-account"},
};

/* Property names the spec reserves (section 3.1 and the OASIS core schema). */
static const char *const reserved_props[] = {"severity", "action", "username", "phone_numbers"};

/* ---- the checking context ---- */

struct ck {
    json_t *o;
    const char *type;                /* "" until known */
    enum kind kind;
    char who[STIX_ID_MAX];           /* the id, or "object N" */
    struct stix_problem *probs;
    size_t max, n;
};

/* Records one problem (counted even past max). */
static void problem(struct ck *c, const char *prop, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct ck *c, const char *prop, const char *fmt, ...)
{
    if (c->n < c->max && c->probs) {
        struct stix_problem *p = &c->probs[c->n];
        snprintf(p->id, sizeof p->id, "%s", c->who);
        snprintf(p->property, sizeof p->property, "%s", prop ? prop : "");
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->message, sizeof p->message, fmt, ap);
        va_end(ap);
    }
    c->n++;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static size_t copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
    return n;
}

/* ---- identifiers and types (sections 2.9, 3.1) ---- */

/* NULL when `t` is a valid type name, else why not. */
static const char *type_problem(const char *t)
{
    size_t n = strlen(t);
    if (n < 3 || n > 250)
        return "must be 3 to 250 characters";
    if (t[0] < 'a' || t[0] > 'z')
        return "must begin with a lower-case letter";
    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return "may contain only a-z, 0-9 and '-'";
        if (ch == '-' && t[i + 1] == '-')
            return "must not contain \"--\" (it separates type and UUID in ids)";
    }
    if (strcmp(t, "action") == 0)
        return "\"action\" is reserved";
    return NULL;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* NULL when `id` is type--UUID (RFC 4122: variant 10xx, version 1-5), the
 * type part copied into type[STIX_TYPE_MAX]; else why not. */
static const char *id_problem(const char *id, char type[STIX_TYPE_MAX])
{
    const char *sep = strstr(id, "--");
    if (!sep || sep == id)
        return "is not an identifier (type--UUID)";
    size_t tl = (size_t)(sep - id);
    if (tl >= STIX_TYPE_MAX)
        return "has a type part longer than 250 characters";
    memcpy(type, id, tl);
    type[tl] = 0;
    if (type_problem(type))
        return "has an invalid type part";
    const char *u = sep + 2;
    if (strlen(u) != 36)
        return "does not end in a UUID (8-4-4-4-12 hex digits)";
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !is_hex(u[i]))
            return "does not end in a UUID (8-4-4-4-12 hex digits)";
    }
    if (u[14] < '1' || u[14] > '5')
        return "has a UUID whose version is not 1-5 (RFC 4122)";
    if (!strchr("89abAB", u[19]))
        return "has a UUID that is not of the RFC 4122 variant";
    return NULL;
}

/* Whether a referenced type satisfies a rule's "to" list. */
static bool type_allowed(const char *type, const char *to)
{
    enum kind k = kind_of(type);
    char tok[STIX_TYPE_MAX];
    while (*to) {
        size_t n = strcspn(to, " ");
        copy(tok, n + 1 < sizeof tok ? n + 1 : sizeof tok, to);
        if (strcmp(tok, "@sdo") == 0 ? (k == K_SDO || k == K_CUSTOM)
            : strcmp(tok, "@sco") == 0 ? k == K_SCO
            : strcmp(tok, "@node") == 0 ? (k == K_SDO || k == K_SCO || k == K_CUSTOM)
            : strcmp(tok, type) == 0)
            return true;
        to += n;
        while (*to == ' ')
            to++;
    }
    return false;
}

static const char *rule_for(const char *objtype, const char *prop)
{
    for (size_t i = 0; i < sizeof refrules / sizeof refrules[0]; i++)
        if ((!refrules[i].of || strcmp(refrules[i].of, objtype) == 0) &&
            strcmp(refrules[i].prop, prop) == 0)
            return refrules[i].to;
    return NULL;
}

/* "a" or "an" before a type name. */
static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) && word[0] ? "an" : "a";
}

/* Describes a "to" list for messages ("an identity or location id"). */
static void describe_to(const char *to, char *out, size_t cap)
{
    if (strcmp(to, "@sdo") == 0)
        snprintf(out, cap, "an SDO id");
    else if (strcmp(to, "@sco") == 0)
        snprintf(out, cap, "an SCO id");
    else if (strcmp(to, "@node") == 0)
        snprintf(out, cap, "an SDO or SCO id");
    else if (strcmp(to, "@sco relationship") == 0)
        snprintf(out, cap, "an SCO or relationship id");
    else {
        size_t k = (size_t)snprintf(out, cap, "%s ", article(to));
        for (; *to && k + 4 < cap; to++)
            out[k++] = *to == ' ' ? '/' : *to;
        snprintf(out + k, cap - k, " id");
    }
}

/* One reference value at `path`: an id, of an allowed type when a rule for
 * (object type, property) says so. */
static void check_ref(struct ck *c, const char *path, const char *prop, json_t *v)
{
    const char *id = json_string_value(v);
    if (!id) {
        problem(c, path, "must be an identifier string");
        return;
    }
    /* A custom property may say "no reference" with "" (ATT&CK writes
     * x_mitre_data_source_ref "" on deprecated data components); the spec
     * defines no such property, so its own references get no leeway. */
    if (!*id && strncmp(prop, "x_", 2) == 0 && strcmp(prop, "x_alidade_recipients") != 0)
        return;
    char t[STIX_TYPE_MAX];
    const char *why = id_problem(id, t);
    if (why) {
        problem(c, path, "\"%.60s\" %s", id, why);
        return;
    }
    const char *to = rule_for(c->type, prop);
    if (to && !type_allowed(t, to)) {
        char want[96];
        describe_to(to, want, sizeof want);
        problem(c, path, "must be %s, not %s %.60s id", want, article(t), t);
    }
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Every *_ref / *_refs property in `o` and the objects nested in it (at
 * any depth: extensions, granular markings), `base` its path. */
static void check_refs_in(struct ck *c, json_t *o, const char *base, int depth)
{
    const char *k;
    json_t *v;
    char path[128];
    if (depth > 16)
        return;
    json_object_foreach(o, k, v) {
        snprintf(path, sizeof path, "%s%s%s", base, *base ? "." : "", k);
        if (ends_with(k, "_ref")) {
            check_ref(c, path, k, v);
        } else if (ends_with(k, "_refs") || strcmp(k, "x_alidade_recipients") == 0) {
            if (!json_is_array(v) || json_array_size(v) == 0) {
                /* an empty top-level list is reported by check_properties */
                if (!json_is_array(v) || depth > 0)
                    problem(c, path, "must be a non-empty list of identifiers");
                continue;
            }
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                char ep[160];
                snprintf(ep, sizeof ep, "%s[%zu]", path, i);
                check_ref(c, ep, k, e);
            }
        } else if (depth == 0 && strcmp(k, "objects") == 0 && strcmp(c->type, "observed-data") == 0) {
            continue;                /* deprecated 2.0-style SCOs: refs are local keys ("0") */
        } else if (json_is_object(v)) {
            check_refs_in(c, v, path, depth + 1);
        } else if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                if (!json_is_object(e))
                    continue;
                char ep[160];
                snprintf(ep, sizeof ep, "%s[%zu]", path, i);
                check_refs_in(c, e, ep, depth + 1);
            }
        }
    }
}

/* ---- property names and values (sections 2, 3.1) ---- */

/* NULL when `k` is a valid property name (3-250 of a-z A-Z 0-9 _; the
 * spec's own "id" is the one shorter name). */
static const char *propname_problem(const char *k)
{
    size_t n = strlen(k);
    if (strcmp(k, "id") == 0)
        return NULL;
    if (n < 3 || n > 250)
        return "property names must be 3 to 250 characters";
    if (!((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')))
        return "property names must begin with a letter";
    for (size_t i = 0; i < n; i++) {
        char ch = k[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_'))
            return "property names may contain only a-z, A-Z, 0-9 and '_'";
    }
    return NULL;
}

static bool json_type_ok(json_t *v, char jtype)
{
    switch (jtype) {
    case 's': return json_is_string(v);
    case 'b': return json_is_boolean(v);
    case 'i': return json_is_integer(v);
    case 'n': return json_is_number(v);
    case 'o': return json_is_object(v);
    case 'L': return json_is_array(v);
    case 't': return json_is_string(v);
    case 'l': {
        if (!json_is_array(v))
            return false;
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
            if (!json_is_string(e))
                return false;
        return true;
    }
    default: return false;
    }
}

static const char *jtype_text(char jtype)
{
    switch (jtype) {
    case 's': return "a string";
    case 'b': return "a boolean";
    case 'i': return "an integer";
    case 'n': return "a number";
    case 'o': return "an object";
    case 'L': return "a list";
    case 'l': return "a list of strings";
    default: return "a timestamp string";
    }
}

/* A timestamp property: RFC 3339 UTC; created/modified to the millisecond
 * at least (section 3.2). Returns its microseconds or STIX_TIME_NONE. */
static int64_t check_time(struct ck *c, const char *k, json_t *v)
{
    const char *s = json_string_value(v);
    int64_t us;
    if (!s || !stix_time_parse(s, strlen(s), &us)) {
        problem(c, k, "must be an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z)");
        return STIX_TIME_NONE;
    }
    if ((strcmp(k, "created") == 0 || strcmp(k, "modified") == 0) &&
        (strlen(s) < 24 || s[19] != '.'))
        problem(c, k, "must be precise to the millisecond (e.g. 2016-05-12T08:17:27.000Z)");
    return us;
}

/* Every top-level property: its name, reserved names, empty lists, known
 * value types, timestamps. */
static void check_properties(struct ck *c)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->o, k, v) {
        const char *why = propname_problem(k);
        if (why)
            problem(c, k, "%s", why);
        if (c->kind != K_SCO)
            for (size_t i = 0; i < sizeof reserved_props / sizeof reserved_props[0]; i++)
                if (strcmp(k, reserved_props[i]) == 0)
                    problem(c, k, "is a reserved property name");
        if (json_is_array(v) && json_array_size(v) == 0)
            problem(c, k, "lists must not be empty");
        for (size_t i = 0; i < sizeof proptypes / sizeof proptypes[0]; i++) {
            if (strcmp(k, proptypes[i].name) != 0)
                continue;
            if (proptypes[i].jtype == 't')
                check_time(c, k, v);
            else if (!json_type_ok(v, proptypes[i].jtype))
                problem(c, k, "must be %s", jtype_text(proptypes[i].jtype));
        }
    }
    json_t *conf = json_object_get(c->o, "confidence");
    if (json_is_integer(conf) && (json_integer_value(conf) < 0 || json_integer_value(conf) > 100))
        problem(c, "confidence", "must be 0 to 100");
}

/* ---- common structures (sections 2.5, 7.2.3, 7.3) ---- */

static void check_external_references(struct ck *c)
{
    json_t *list = json_object_get(c->o, "external_references");
    size_t i;
    json_t *e;
    char path[128];
    json_array_foreach(list, i, e) {
        snprintf(path, sizeof path, "external_references[%zu]", i);
        if (!json_is_object(e)) {
            problem(c, path, "must be an object");
            continue;
        }
        const char *src = str(e, "source_name");
        if (!src) {
            problem(c, path, "source_name is required (a string)");
            continue;
        }
        if (!json_object_get(e, "description") && !json_object_get(e, "url") &&
            !json_object_get(e, "external_id"))
            problem(c, path, "needs description, url or external_id besides source_name");
        const char *xid = str(e, "external_id");
        if (strcmp(src, "cve") == 0 && (!xid || strncmp(xid, "CVE-", 4) != 0))
            problem(c, path, "a cve reference needs external_id CVE-YYYY-NNNN");
        if (strcmp(src, "capec") == 0 && (!xid || strncmp(xid, "CAPEC-", 6) != 0))
            problem(c, path, "a capec reference needs external_id CAPEC-N");
    }
}

/* kill_chain_phases entries: kill_chain_name and phase_name (section 2.8). */
static void check_kill_chain_phases(struct ck *c)
{
    size_t i;
    json_t *e;
    char path[128];
    json_array_foreach(json_object_get(c->o, "kill_chain_phases"), i, e) {
        snprintf(path, sizeof path, "kill_chain_phases[%zu]", i);
        if (!json_is_string(json_object_get(e, "kill_chain_name")) ||
            !json_is_string(json_object_get(e, "phase_name")))
            problem(c, path, "needs kill_chain_name and phase_name (strings)");
    }
}

/* Whether a granular-marking selector ("description", "labels.[1]",
 * "external_references.[0].url") names content present in the object. */
static bool selector_resolves(json_t *o, const char *sel)
{
    json_t *cur = o;
    char seg[256];
    while (*sel) {
        size_t n = strcspn(sel, ".");
        if (n == 0 || n >= sizeof seg)
            return false;
        memcpy(seg, sel, n);
        seg[n] = 0;
        if (seg[0] == '[') {
            char *end;
            unsigned long idx = strtoul(seg + 1, &end, 10);
            if (end == seg + 1 || strcmp(end, "]") != 0 || !json_is_array(cur))
                return false;
            cur = json_array_get(cur, idx);
        } else {
            cur = json_is_object(cur) ? json_object_get(cur, seg) : NULL;
        }
        if (!cur)
            return false;
        sel += n;
        if (*sel == '.' && !*++sel)
            return false;
    }
    return cur != o;
}

static void check_granular_markings(struct ck *c)
{
    json_t *list = json_object_get(c->o, "granular_markings");
    size_t i;
    json_t *g;
    char path[128];
    json_array_foreach(list, i, g) {
        snprintf(path, sizeof path, "granular_markings[%zu]", i);
        if (!json_is_object(g)) {
            problem(c, path, "must be an object");
            continue;
        }
        bool ref = json_object_get(g, "marking_ref") != NULL, lang = json_is_string(json_object_get(g, "lang"));
        if (ref == lang)
            problem(c, path, "needs exactly one of marking_ref and lang");
        json_t *sels = json_object_get(g, "selectors");
        if (!json_is_array(sels) || json_array_size(sels) == 0) {
            problem(c, path, "selectors must be a non-empty list");
            continue;
        }
        size_t k;
        json_t *s;
        json_array_foreach(sels, k, s) {
            const char *sel = json_string_value(s);
            if (!sel || !selector_resolves(c->o, sel))
                problem(c, path, "selector \"%.80s\" does not name a property of the object",
                        sel ? sel : "(not a string)");
        }
    }
}

static const char *const extension_types[] = {
    "new-sdo", "new-sco", "new-sro", "property-extension", "toplevel-property-extension"};

static bool is_extension_type(const char *s)
{
    for (size_t i = 0; i < 5; i++)
        if (s && strcmp(s, extension_types[i]) == 0)
            return true;
    return false;
}

/* extensions: extension-definition ids (with extension_type) or the
 * predefined "*-ext" names, each a non-empty object. */
static void check_extensions(struct ck *c)
{
    json_t *ext = json_object_get(c->o, "extensions");
    if (!json_is_object(ext))
        return;
    if (json_object_size(ext) == 0)
        problem(c, "extensions", "must not be empty");
    const char *k;
    json_t *v;
    char path[128], t[STIX_TYPE_MAX];
    json_object_foreach(ext, k, v) {
        snprintf(path, sizeof path, "extensions.%s", k);
        if (!json_is_object(v) || json_object_size(v) == 0) {
            problem(c, path, "must be a non-empty object");
            continue;
        }
        if (strncmp(k, "extension-definition--", 22) == 0) {
            if (id_problem(k, t))
                problem(c, path, "is not an extension-definition id");
            else if (!is_extension_type(str(v, "extension_type")))
                problem(c, path, "extension_type must be new-sdo, new-sco, new-sro, "
                                 "property-extension or toplevel-property-extension");
        } else if (!ends_with(k, "-ext") || type_problem(k)) {
            problem(c, path, "must be an extension-definition id or a predefined *-ext name");
        }
    }
}

/* ---- rules of particular types (sections 4-7) ---- */

/* A timestamp pair where `late` must not be before `early` (strict: after). */
static void time_order(struct ck *c, const char *early, const char *late, bool strict)
{
    const char *a = str(c->o, early), *b = str(c->o, late);
    int64_t ta, tb;
    if (!a || !b || !stix_time_parse(a, strlen(a), &ta) || !stix_time_parse(b, strlen(b), &tb))
        return;
    if (strict ? tb <= ta : tb < ta)
        problem(c, late, "must be %s %s", strict ? "later than" : "at or after", early);
}

static void integer_range(struct ck *c, const char *k, json_int_t lo, json_int_t hi)
{
    json_t *v = json_object_get(c->o, k);
    if (json_is_integer(v) && (json_integer_value(v) < lo || json_integer_value(v) > hi))
        problem(c, k, "must be %lld to %lld", (long long)lo, (long long)hi);
}

static bool has(struct ck *c, const char *k)
{
    return json_object_get(c->o, k) != NULL;
}

static void check_location(struct ck *c)
{
    bool lat = has(c, "latitude"), lon = has(c, "longitude");
    if (!has(c, "region") && !has(c, "country") && !(lat && lon))
        problem(c, "", "a location needs region, country, or latitude and longitude");
    if (lat != lon)
        problem(c, lat ? "longitude" : "latitude", "latitude and longitude go together");
    if (has(c, "precision") && !(lat && lon))
        problem(c, "precision", "needs latitude and longitude");
    double la = json_number_value(json_object_get(c->o, "latitude"));
    double lo = json_number_value(json_object_get(c->o, "longitude"));
    if (lat && (la < -90 || la > 90))
        problem(c, "latitude", "must be -90.0 to 90.0");
    if (lon && (lo < -180 || lo > 180))
        problem(c, "longitude", "must be -180.0 to 180.0");
}

static void check_opinion(struct ck *c)
{
    static const char *const ok[] = {"strongly-disagree", "disagree", "neutral", "agree",
                                     "strongly-agree"};
    const char *v = str(c->o, "opinion");
    if (!v)
        return;
    for (size_t i = 0; i < 5; i++)
        if (strcmp(v, ok[i]) == 0)
            return;
    problem(c, "opinion", "must be strongly-disagree, disagree, neutral, agree or strongly-agree");
}

static void check_marking_definition(struct ck *c)
{
    bool dt = has(c, "definition_type"), d = has(c, "definition");
    if (dt != d)
        problem(c, dt ? "definition" : "definition_type", "definition and definition_type go together");
    if (!dt && !has(c, "extensions"))
        problem(c, "", "a marking definition needs definition_type and definition, or extensions");
    if (has(c, "modified"))
        problem(c, "modified", "marking definitions are not versioned (no modified)");
}

/* Type-specific rules, dispatched on the type name. */
static void check_type_rules(struct ck *c)
{
    const char *t = c->type;
    if (strcmp(t, "indicator") == 0)
        time_order(c, "valid_from", "valid_until", true);
    else if (strcmp(t, "malware") == 0 && json_is_true(json_object_get(c->o, "is_family")) &&
             !has(c, "name"))
        problem(c, "name", "is required when is_family is true");
    else if (strcmp(t, "malware-analysis") == 0 && !has(c, "result") &&
             !has(c, "analysis_sco_refs"))
        problem(c, "", "a malware-analysis needs result or analysis_sco_refs");
    else if (strcmp(t, "location") == 0)
        check_location(c);
    else if (strcmp(t, "opinion") == 0)
        check_opinion(c);
    else if (strcmp(t, "observed-data") == 0) {
        time_order(c, "first_observed", "last_observed", false);
        integer_range(c, "number_observed", 1, 999999999);
        if (has(c, "objects") == has(c, "object_refs"))
            problem(c, "object_refs", "observed-data needs exactly one of object_refs and objects");
    } else if (strcmp(t, "relationship") == 0)
        time_order(c, "start_time", "stop_time", true);
    else if (strcmp(t, "sighting") == 0)
        integer_range(c, "count", 0, 999999999);
    else if (strcmp(t, "marking-definition") == 0)
        check_marking_definition(c);
    else if (strcmp(t, "extension-definition") == 0) {
        json_t *l = json_object_get(c->o, "extension_types");
        size_t i;
        json_t *e;
        json_array_foreach(l, i, e)
            if (!is_extension_type(json_string_value(e)))
                problem(c, "extension_types", "\"%.40s\" is not an extension type",
                        json_string_value(e) ? json_string_value(e) : "?");
    } else if (strcmp(t, "artifact") == 0) {
        if (has(c, "payload_bin") == has(c, "url"))
            problem(c, "", "an artifact needs exactly one of payload_bin and url");
        if (has(c, "url") && !has(c, "hashes"))
            problem(c, "hashes", "is required with url");
    } else if (strcmp(t, "file") == 0 && !has(c, "hashes") && !has(c, "name"))
        problem(c, "", "a file needs hashes or name");
    else if (strcmp(t, "network-traffic") == 0 && !has(c, "src_ref") && !has(c, "dst_ref"))
        problem(c, "", "network-traffic needs src_ref or dst_ref");
    if (has(c, "first_seen") && has(c, "last_seen"))
        time_order(c, "first_seen", "last_seen", false);
}

/* ---- common properties and the object as a whole (section 3.2) ---- */

/* The custom-object kind: SCO-like when it declares a new-sco extension. */
static enum kind custom_kind(json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o, "extensions"), k, v)
        if (strcmp(str(v, "extension_type") ? str(v, "extension_type") : "", "new-sco") == 0)
            return K_SCO;
    return K_CUSTOM;
}

static void check_required(struct ck *c, const struct objtype *ot)
{
    static const char *const sdo[] = {"spec_version", "created", "modified"};
    static const char *const meta[] = {"spec_version", "created"};
    const char *const *req = c->kind == K_SCO ? NULL : c->kind == K_META ? meta : sdo;
    size_t nreq = c->kind == K_SCO ? 0 : c->kind == K_META ? 2 : 3;
    for (size_t i = 0; i < nreq; i++)
        if (!has(c, req[i]))
            problem(c, req[i], "%s", strcmp(req[i], "spec_version") == 0
                    ? "is required (STIX 2.0 objects have none; this takes STIX 2.1)" : "is required");
    for (size_t i = 0; ot && i < 6 && ot->required[i]; i++)
        if (!has(c, ot->required[i]))
            problem(c, ot->required[i], "is required for %s", ot->type);
}

/* type, id, spec_version and the version timestamps. */
static void check_identity(struct ck *c, struct stix_info *info)
{
    json_t *tv = json_object_get(c->o, "type"), *iv = json_object_get(c->o, "id");
    const char *type = json_string_value(tv), *id = json_string_value(iv);
    if (!type)
        problem(c, "type", tv ? "must be a string" : "is required");
    else if (type_problem(type))
        problem(c, "type", "\"%.60s\" %s", type, type_problem(type));
    else if (strcmp(type, "bundle") == 0)
        problem(c, "type", "a bundle is a container, not an object to store");
    char idtype[STIX_TYPE_MAX];
    if (!id)
        problem(c, "id", iv ? "must be a string" : "is required");
    else if (id_problem(id, idtype))
        problem(c, "id", "%s", id_problem(id, idtype));
    else if (type && !type_problem(type) && strcmp(idtype, type) != 0)
        problem(c, "id", "type part \"%.60s\" differs from type \"%.60s\"", idtype, type);
    const char *sv = str(c->o, "spec_version");
    if (has(c, "spec_version") && (!sv || strcmp(sv, "2.1") != 0))
        problem(c, "spec_version", "must be \"2.1\"");
    if (info) {
        copy(info->type, sizeof info->type, type ? type : "");
        copy(info->id, sizeof info->id, id ? id : "");
        copy(info->spec_version, sizeof info->spec_version, sv ? sv : "");
    }
}

/* ---- struct stix_info ---- */

static int64_t time_of(json_t *o, const char *k)
{
    const char *s = str(o, k);
    int64_t us;
    return s && stix_time_parse(s, strlen(s), &us) ? us : STIX_TIME_NONE;
}

/* Versions, markings, recipients; too many markings or recipients to keep
 * are a problem (the policy must see them all). */
static void fill_info(struct ck *c, struct stix_info *info)
{
    const char *mod = str(c->o, "modified"), *cre = str(c->o, "created");
    const char *ver = mod ? mod : cre ? cre : "";
    if (strlen(ver) >= sizeof info->modified)
        ver = "";
    copy(info->modified, sizeof info->modified, ver);
    info->modified_us = *ver ? time_of(c->o, mod ? "modified" : "created") : STIX_TIME_NONE;
    info->created_us = time_of(c->o, "created");
    const char *by = str(c->o, "created_by_ref");
    copy(info->created_by_ref, sizeof info->created_by_ref, by ? by : "");
    info->revoked = json_is_true(json_object_get(c->o, "revoked"));
    info->valid_from_us = time_of(c->o, "valid_from");
    info->valid_until_us = time_of(c->o, "valid_until");
    info->tlp = STIX_TLP_NONE;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c->o, "object_marking_refs"), i, e) {
        const char *m = json_string_value(e);
        if (!m)
            continue;
        enum stix_tlp t = stix_tlp_of(m);
        if (t > info->tlp)
            info->tlp = t;
        if (info->nmarkings == STIX_MARKINGS_MAX)
            problem(c, "object_marking_refs", "more than %d markings", STIX_MARKINGS_MAX);
        else if (info->nmarkings < STIX_MARKINGS_MAX)
            copy(info->markings[info->nmarkings], STIX_ID_MAX, m);
        info->nmarkings++;
    }
    if (info->nmarkings > STIX_MARKINGS_MAX)
        info->nmarkings = STIX_MARKINGS_MAX;
    json_array_foreach(json_object_get(c->o, "x_alidade_recipients"), i, e) {
        const char *r = json_string_value(e);
        if (!r)
            continue;
        if (info->nrecipients == STIX_RECIPIENTS_MAX) {
            problem(c, "x_alidade_recipients", "more than %d recipients", STIX_RECIPIENTS_MAX);
            break;
        }
        copy(info->recipients[info->nrecipients++], STIX_ID_MAX, r);
    }
}

static void info_init(struct stix_info *info)
{
    memset(info, 0, sizeof *info);
    info->modified_us = info->created_us = STIX_TIME_NONE;
    info->valid_from_us = info->valid_until_us = STIX_TIME_NONE;
    info->tlp = STIX_TLP_NONE;
}

size_t stix_check(const char *json, size_t len, size_t index, struct stix_info *info,
                  struct stix_problem *probs, size_t max)
{
    struct ck c = {.type = "", .probs = probs, .max = probs ? max : 0};
    struct stix_info scratch;        /* the limits on markings and recipients
                                        are problems with or without info */
    if (!info)
        info = &scratch;
    snprintf(c.who, sizeof c.who, "object %zu", index);
    info_init(info);
    json_error_t je;
    c.o = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &je);
    if (!c.o || !json_is_object(c.o)) {
        if (c.o)
            problem(&c, "", "is not a JSON object");
        else
            problem(&c, "", "not JSON: line %d, column %d: %s", je.line, je.column, je.text);
        json_decref(c.o);
        return c.n;
    }
    const char *id = str(c.o, "id");
    if (id && *id)
        copy(c.who, sizeof c.who, id);
    const char *type = str(c.o, "type");
    if (type)
        c.type = type;
    const struct objtype *ot = objtype_of(c.type);
    c.kind = ot ? ot->kind : custom_kind(c.o);
    check_identity(&c, info);
    check_required(&c, ot);
    check_properties(&c);
    time_order(&c, "created", "modified", false);
    check_refs_in(&c, c.o, "", 0);
    check_external_references(&c);
    check_kill_chain_phases(&c);
    check_granular_markings(&c);
    check_extensions(&c);
    check_type_rules(&c);
    fill_info(&c, info);
    json_decref(c.o);
    return c.n;
}
