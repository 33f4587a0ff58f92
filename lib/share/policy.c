/*
 * policy.c - the per-partner read policy of include/alidade/share.h (rules in
 * docs/share.md): collection grants, sharing groups (marking-definition ids
 * UUIDv5 in a fixed alidade namespace), TLP 2.0 with TLP 1.0 ids mapped by
 * stix_tlp_of, and TLP 2.0 re-sharing of what came from other partners
 * (store_row.origin). Every rule must pass; anything unknown fails closed (a TLP
 * value out of range reads as RED). Checked against an independent oracle
 * over random partners and objects in tests/share/test_policy.c.
 */
#include "alidade/share.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/uuid.h"

/* uuid.uuid5(uuid.NAMESPACE_URL, "https://alidade.invalid/sharing-group") =
 * dba56e1b-8e25-588a-98da-d473d0f5daba (Python 3.11, 2026-11-23). */
static const uint8_t group_ns[16] = {0xdb, 0xa5, 0x6e, 0x1b, 0x8e, 0x25, 0x58, 0x8a,
                                     0x98, 0xda, 0xd4, 0x73, 0xd0, 0xf5, 0xda, 0xba};
#define GROUP_PREFIX "alidade-sharing-group:"
/* Every node writes the same marking-definition bytes for a group. */
#define GROUP_CREATED "2026-01-01T00:00:00.000Z"

/* ---- names ---- */

bool share_name_valid(const char *name)
{
    if (!name || !name[0] || name[0] == '-' || name[0] == '.')
        return false;
    size_t n = 0;
    for (const char *c = name; *c; c++, n++) {
        bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
        if (!ok || n >= 63)
            return false;
    }
    return true;
}

bool share_groups_valid(const char *list)
{
    if (!list)
        return false;
    if (!list[0])
        return true;
    if (strlen(list) >= sizeof ((struct store_partner *)0)->groups)
        return false;
    char item[64];
    const char *s = list;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || n >= sizeof item)
            return false;
        memcpy(item, s, n);
        item[n] = 0;
        if (!share_name_valid(item))
            return false;
        if (!e)
            return true;
        s = e + 1;
    }
}

/* ---- list items ---- */

/* Copies the next item of a list separated by any of `seps` into item[cap]
 * (items that do not fit are skipped: they can match nothing we compare
 * with). Returns false at the end. *pos advances. */
static bool next_item(const char **pos, const char *seps, char *item, size_t cap)
{
    const char *s = *pos;
    for (;;) {
        s += strspn(s, seps);
        if (!*s) {
            *pos = s;
            return false;
        }
        size_t n = strcspn(s, seps);
        const char *e = s + n;
        /* blanks around comma-separated items do not count */
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n && n < cap) {
            memcpy(item, s, n);
            item[n] = 0;
            *pos = e;
            return true;
        }
        s = e;
    }
}

/* True when `want` is an item of the comma-separated list (or the list has
 * the item "*" and star counts). */
static bool in_list(const char *list, const char *want, bool star)
{
    if (!list || !want || !want[0])
        return false;
    char item[STIX_ID_MAX];
    const char *pos = list;
    while (next_item(&pos, ",", item, sizeof item))
        if ((star && strcmp(item, "*") == 0) || strcmp(item, want) == 0)
            return true;
    return false;
}

bool share_collection_readable(const struct store_partner *p, const char *collection)
{
    return p && in_list(p->read, collection, true);
}

bool share_collection_writable(const struct store_partner *p, const char *collection)
{
    return p && in_list(p->write, collection, true);
}

/* ---- sharing-group markings ---- */

void share_group_marking_id(const char *name, char out[STIX_ID_MAX])
{
    char key[sizeof GROUP_PREFIX + 512];
    int n = snprintf(key, sizeof key, GROUP_PREFIX "%s", name ? name : "");
    if (n < 0 || (size_t)n >= sizeof key)
        n = (int)sizeof key - 1;
    char u[37];
    ald_uuid5(group_ns, key, (size_t)n, u);
    snprintf(out, STIX_ID_MAX, "marking-definition--%s", u);
}

size_t share_group_marking_json(const char *name, char *out, size_t cap)
{
    if (!share_name_valid(name) || !out)
        return 0;
    char id[STIX_ID_MAX];
    share_group_marking_id(name, id);
    /* names are [A-Za-z0-9._-]: nothing to escape */
    int n = snprintf(out, cap,
                     "{\"type\":\"marking-definition\",\"spec_version\":\"2.1\","
                     "\"id\":\"%s\",\"created\":\"" GROUP_CREATED "\","
                     "\"name\":\"alidade sharing group %s\",\"definition_type\":\"statement\","
                     "\"definition\":{\"statement\":\"Sharing group %s\"}}",
                     id, name, name);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            out[0] = 0;
        return 0;
    }
    return (size_t)n;
}

static int group_cmp(const void *a, const void *b)
{
    return strcmp(((const struct share_group *)a)->name, ((const struct share_group *)b)->name);
}

ald_err share_known_groups(const struct store_partner *ps, size_t np, struct share_group **out,
                           size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0, k = 0;
    struct share_group *g = NULL;
    for (size_t i = 0; i < np; i++) {
        char item[64];
        const char *pos = ps[i].groups;
        while (next_item(&pos, ",", item, sizeof item)) {
            bool seen = false;
            for (size_t j = 0; j < k && !seen; j++)
                seen = strcmp(g[j].name, item) == 0;
            if (seen)
                continue;
            if (k == cap) {
                size_t nc = cap ? 2 * cap : 16;
                struct share_group *ng = realloc(g, nc * sizeof *ng);
                if (!ng) {
                    free(g);
                    return ALD_E_NOMEM;
                }
                g = ng;
                cap = nc;
            }
            snprintf(g[k].name, sizeof g[k].name, "%s", item);
            share_group_marking_id(item, g[k].id);
            k++;
        }
    }
    if (k)
        qsort(g, k, sizeof *g, group_cmp);
    *out = g;
    *n = k;
    return ALD_E_OK;
}

/* ---- the read decision ---- */

/* The partner's own group ids, computed once per decision when needed. */
struct own_groups {
    bool done;
    size_t n;
    char id[16][STIX_ID_MAX];
    bool more;                       /* more than 16 groups: check by hashing */
};

/* Whether the node's list names group `name` (then its id was compared
 * already and need not be hashed again). */
static bool cfg_has(const struct share_config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->ngroups; i++)
        if (strcmp(cfg->groups[i].name, name) == 0)
            return true;
    return false;
}

/* The ids of p's groups that the node's list lacks: none at all when the
 * list was built from every partner, so the common case hashes nothing. */
static void own_groups_fill(const struct share_config *cfg, const struct store_partner *p,
                            struct own_groups *o)
{
    char item[64];
    const char *pos = p->groups;
    o->done = true;
    while (next_item(&pos, ",", item, sizeof item)) {
        if (cfg_has(cfg, item))
            continue;
        if (o->n == 16) {
            o->more = true;
            return;
        }
        share_group_marking_id(item, o->id[o->n++]);
    }
}

/* Whether marking m is one of p's groups (hashing each of its groups). */
static bool own_group_slow(const struct store_partner *p, const char *m)
{
    char item[64], id[STIX_ID_MAX];
    const char *pos = p->groups;
    while (next_item(&pos, ",", item, sizeof item)) {
        share_group_marking_id(item, id);
        if (strcmp(id, m) == 0)
            return true;
    }
    return false;
}

/* Classifies marking m: 0 not a group marking, 1 a group p is in, 2 a group
 * p is not in. */
static int group_of(const struct share_config *cfg, const struct store_partner *p,
                    struct own_groups *own, const char *m)
{
    if (strncmp(m, "marking-definition--", 20) != 0)
        return 0;
    if (cfg)
        for (size_t i = 0; i < cfg->ngroups; i++)
            if (strcmp(cfg->groups[i].id, m) == 0)
                return in_list(p->groups, cfg->groups[i].name, false) ? 1 : 2;
    if (!own->done)
        own_groups_fill(cfg, p, own);
    for (size_t i = 0; i < own->n; i++)
        if (strcmp(own->id[i], m) == 0)
            return 1;
    if (own->more && own_group_slow(p, m))
        return 1;
    return 0;
}

static enum stix_tlp clamp_tlp(int t)
{
    if (t == STIX_TLP_NONE)
        return STIX_TLP_NONE;
    if (t < STIX_TLP_CLEAR || t > STIX_TLP_RED)
        return STIX_TLP_RED;         /* unknown: fail closed */
    return (enum stix_tlp)t;
}

/* True when the partner is named on the object: its creator or a recipient.
 * A partner without identity is named on nothing. UUIDs are the same in any
 * case (RFC 9562: case-insensitive on input), so ids compare so. */
static bool named(const struct store_partner *p, const struct store_row *obj)
{
    if (!p->identity[0])
        return false;
    if (obj->created_by_ref && strcasecmp(obj->created_by_ref, p->identity) == 0)
        return true;
    if (!obj->recipients)
        return false;
    char item[STIX_ID_MAX];
    const char *pos = obj->recipients;
    while (next_item(&pos, " ,", item, sizeof item))
        if (strcasecmp(item, p->identity) == 0)
            return true;
    return false;
}

bool share_can_read(const struct share_config *cfg, const struct store_partner *p,
                    const char *collection, const struct store_row *obj)
{
    if (!p || !obj || !share_collection_readable(p, collection))
        return false;
    enum stix_tlp tlp = clamp_tlp(obj->tlp);
    bool group_marked = false, member = false;
    struct own_groups own = {0};
    char m[STIX_ID_MAX];
    const char *pos = obj->markings ? obj->markings : "";
    while (next_item(&pos, " ,", m, sizeof m)) {
        /* TLP and group ids are written in lower case; an upper-case copy
         * names the same marking and must restrict just the same */
        for (char *c = m; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        enum stix_tlp t = stix_tlp_of(m);
        if (t != STIX_TLP_NONE) {
            if (t > tlp)
                tlp = t;
            continue;
        }
        int g = group_of(cfg, p, &own, m);
        group_marked |= g != 0;
        member |= g == 1;
    }
    if (group_marked && !member)
        return false;
    if (tlp == STIX_TLP_NONE) {
        tlp = cfg ? clamp_tlp(cfg->default_tlp) : STIX_TLP_AMBER;
        if (tlp == STIX_TLP_NONE)
            tlp = STIX_TLP_AMBER;
    }
    /* TLP 2.0 re-sharing: a version that came from one partner reaches
     * another only when it is CLEAR or GREEN and that one was allowed to
     * receive re-shared objects; the partner it came from may see it again,
     * and so may a partner the originator addressed on the object itself (a
     * member of a sharing group it is marked with, or named on it) */
    if (obj->origin && obj->origin[0] && strcmp(obj->origin, p->name) != 0 &&
        !(group_marked && member) && !named(p, obj) &&
        (tlp > STIX_TLP_GREEN || !p->reshare))
        return false;
    return tlp != STIX_TLP_RED || named(p, obj);
}
