/*
 * identity.c - the STIX identity of a node: one id per node name, the same
 * whichever part of alidade writes it (maritime events, sightings), so a
 * partner sees one creator, and the identity object that goes with it.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "alidade/stix.h"
#include "core/uuid.h"

/* when alidade's own fixed objects were first defined: never changes, so the
 * identity object has one version everywhere */
#define IDENTITY_CREATED "2026-11-23T00:00:00.000Z"

static const char *name_or_default(const char *name)
{
    return name && name[0] ? name : "alidade node";
}

void stix_name_id(const char *type, const char *name, size_t n, char out[STIX_ID_MAX])
{
    char u[37];
    ald_uuid5(ald_uuid_ns, name, n, u);
    snprintf(out, STIX_ID_MAX, "%.*s--%s", STIX_TYPE_MAX - 1, type, u);
}

void stix_node_identity_id(const char *name, char out[64])
{
    char key[160], u[37];
    /* at most 128 bytes of the name: ids and output stay bounded */
    int n = snprintf(key, sizeof key, "identity|node|%.128s", name_or_default(name));
    ald_uuid5(ald_uuid_ns, key, (size_t)n, u);
    snprintf(out, 64, "identity--%s", u);
}

char *stix_node_identity_json(const char *name)
{
    char id[64], shown[129];
    stix_node_identity_id(name, id);
    snprintf(shown, sizeof shown, "%s", name_or_default(name));
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
                          "type", "identity", "spec_version", "2.1", "id", id,
                          "created", IDENTITY_CREATED, "modified", IDENTITY_CREATED,
                          "name", shown,
                          "description", "alidade node of the partner network (maritime "
                                         "and cyber information sharing)",
                          "identity_class", "organization");
    if (!o)   /* the name was cut inside a UTF-8 sequence or is not UTF-8 */
        return NULL;
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}
