/*
 * cmd_partner.c - `alidade partner add|set|list|remove|rotate|groups` (the
 * partners of this node: name, STIX identity, bearer token kept only as its
 * SHA-256, client-certificate fingerprint, sharing groups, collection grants,
 * and for federation its TAXII URL, what we pull and push and the token it
 * gave us; every change goes to the audit log; docs/share.md,
 * docs/federation.md) and `alidade collection add|list` (at the end of the
 * file).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alidade/share.h"
#include "alidade/store.h"
#include "clock.h"
#include "cmd.h"

/* ---- partner ---- */

static void partner_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade partner <subcommand> NAME --data DIR [options]\n"
        "\n"
        "The partners that may use this node's TAXII server. Subcommands:\n"
        "  add NAME     new partner; prints its bearer token alone on the last line\n"
        "               (shown once: only its SHA-256 is kept)\n"
        "  set NAME     change its federation settings (the options marked sync)\n"
        "  list         every partner (never the token; the first 8 hex digits of its hash)\n"
        "  rotate NAME  new token (printed alone on the last line); the old one stops working\n"
        "  remove NAME  delete the partner; its token stops working\n"
        "  groups       the partners' sharing groups: name, marking-definition id (mark\n"
        "               objects with it in object_marking_refs), members; with --stix\n"
        "               the marking-definition objects as JSON lines (for stix import)\n"
        "\n"
        "Options:\n"
        "  --data DIR           the node's data directory (required)\n"
        "  --identity ID        (add) the partner's STIX identity, identity--UUID: the id\n"
        "                       TLP:RED objects name as creator or x_alidade_recipients\n"
        "  --groups G,...       (add) sharing groups (names of A-Z a-z 0-9 . _ -)\n"
        "  --read C,...         (add) collection ids it may read, '*' for all, 'none';\n"
        "                       default: the default collection\n"
        "  --write C,...        (add) collection ids it may write, '*' for all;\n"
        "                       default: none\n"
        "  --cert-fp HEX        (add) SHA-256 of its TLS client certificate (64 hex digits,\n"
        "                       ':' allowed, as openssl x509 -fingerprint -sha256 prints)\n"
        "  --stix               (groups) print marking-definition objects\n"
        "\n"
        "Federation (add, set; docs/federation.md): `alidade serve` pulls from and\n"
        "pushes to the partner's own TAXII server.\n"
        "  --url URL            (sync) its TAXII API root, e.g. https://host:8700/api/\n"
        "  --pull C,...         (sync) its collection ids we pull objects from\n"
        "  --push C,...         (sync) its collection ids we post our objects to\n"
        "  --push-from C,...    (sync) our collection ids whose objects we push\n"
        "                       (default: our default collection)\n"
        "  --pull-into C        (sync) our collection for what we pull (default: a\n"
        "                       collection \"From NAME\" made on the first pull)\n"
        "  --remote-user USER   (sync) the name the partner knows us by (HTTP Basic);\n"
        "                       without it the token goes as a Bearer token\n"
        "  --remote-token-file FILE  (sync) the token the partner gave us (first line)\n"
        "  --remote-token-env VAR    (sync) or the environment variable holding it\n"
        "  --reshare            (sync) it may receive TLP:CLEAR/GREEN objects that came\n"
        "                       from other partners (default: no; AMBER, AMBER+STRICT\n"
        "                       and RED from others never reach it)\n"
        "  --no-reshare         (set) take that back\n"
        "  --remote-ca FILE     (sync) PEM CA its HTTPS certificate is checked against\n"
        "                       (default: the system's CA store)\n"
        "  --remote-cert FILE   (sync) PEM client certificate we present (mTLS)\n"
        "  --remote-key FILE    (sync) and its PEM private key\n"
        "                       (files are read by the node when it syncs: their\n"
        "                       absolute paths are kept; '' clears one)\n"
        "The token is kept in the store, in clear (we must present it): the data\n"
        "directory is made 0700.\n"
        "  -h, --help           this help\n"
        "\n"
        "Names: 1-63 characters of A-Z a-z 0-9 . _ -, not starting with '-' or '.'.\n"
        "Partners authenticate with HTTP Basic (user NAME, password TOKEN) or\n"
        "'Authorization: Bearer TOKEN'.\n");
}

/* What the command line asked for. */
struct partner_opts {
    const char *data, *identity, *groups, *read, *write, *cert_fp, *name;
    bool stix;
    /* federation */
    const char *url, *pull, *push, *push_from, *pull_into, *remote_user, *token_file,
        *token_env, *remote_ca, *remote_cert, *remote_key;
    int reshare;                     /* -1 not given, 0 --no-reshare, 1 --reshare */
};

/* Whether any federation option was given. */
static bool fed_given(const struct partner_opts *o)
{
    return o->url || o->pull || o->push || o->push_from || o->pull_into || o->remote_user ||
           o->token_file || o->token_env || o->reshare >= 0 || o->remote_ca ||
           o->remote_cert || o->remote_key;
}

static int partner_parse(int argc, char **argv, struct partner_opts *o)
{
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},     {"identity", required_argument, NULL, 'i'},
        {"groups", required_argument, NULL, 'g'},   {"read", required_argument, NULL, 'r'},
        {"write", required_argument, NULL, 'w'},    {"cert-fp", required_argument, NULL, 'c'},
        {"stix", no_argument, NULL, 's'},           {"help", no_argument, NULL, 'h'},
        {"url", required_argument, NULL, 'U'},      {"pull", required_argument, NULL, 'P'},
        {"push", required_argument, NULL, 'S'},     {"push-from", required_argument, NULL, 'F'},
        {"pull-into", required_argument, NULL, 'I'},
        {"remote-user", required_argument, NULL, 'u'},
        {"remote-token-file", required_argument, NULL, 'T'},
        {"remote-token-env", required_argument, NULL, 'E'},
        {"reshare", no_argument, NULL, 'R'},        {"no-reshare", no_argument, NULL, 'N'},
        {"remote-ca", required_argument, NULL, 'A'},
        {"remote-cert", required_argument, NULL, 'C'},
        {"remote-key", required_argument, NULL, 'K'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->reshare = -1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': o->data = optarg; break;
        case 'i': o->identity = optarg; break;
        case 'g': o->groups = optarg; break;
        case 'r': o->read = optarg; break;
        case 'w': o->write = optarg; break;
        case 'c': o->cert_fp = optarg; break;
        case 's': o->stix = true; break;
        case 'U': o->url = optarg; break;
        case 'P': o->pull = optarg; break;
        case 'S': o->push = optarg; break;
        case 'F': o->push_from = optarg; break;
        case 'I': o->pull_into = optarg; break;
        case 'u': o->remote_user = optarg; break;
        case 'T': o->token_file = optarg; break;
        case 'E': o->token_env = optarg; break;
        case 'R': o->reshare = 1; break;
        case 'N': o->reshare = 0; break;
        case 'A': o->remote_ca = optarg; break;
        case 'C': o->remote_cert = optarg; break;
        case 'K': o->remote_key = optarg; break;
        case 'h': partner_usage(stdout); return 0;
        default:
            fprintf(stderr, "run 'alidade partner --help' for the options\n");
            return 2;
        }
    }
    if (optind < argc)
        o->name = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "alidade partner %s: unexpected argument '%s'\n", argv[0], argv[optind]);
        return 2;
    }
    if (!o->data) {
        fprintf(stderr, "alidade partner %s: --data DIR is required\n", argv[0]);
        return 2;
    }
    return -1;
}

/* identity--UUID (hex of either case, 8-4-4-4-12). */
static bool identity_ok(const char *s)
{
    if (strncmp(s, "identity--", 10) != 0 || strlen(s) != 46)
        return false;
    for (int i = 0; i < 36; i++) {
        char ch = s[10 + i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (dash ? ch != '-' : !hex)
            return false;
    }
    return true;
}

/* 64 hex digits, ':' between them allowed, into lowercase without ':'. */
static bool cert_fp_norm(const char *in, char out[96])
{
    size_t n = 0;
    for (const char *c = in; *c; c++) {
        if (*c == ':')
            continue;
        char l = (*c >= 'A' && *c <= 'F') ? (char)(*c - 'A' + 'a') : *c;
        if (!((l >= '0' && l <= '9') || (l >= 'a' && l <= 'f')) || n == 64)
            return false;
        out[n++] = l;
    }
    out[n] = 0;
    return n == 64;
}

/* A grant list: "*", "none"/"" (nothing) or collection ids that exist. */
static bool grants_norm(store *st, const char *what, const char *in, char *out, size_t cap)
{
    out[0] = 0;
    if (strcmp(in, "none") == 0 || !in[0])
        return true;
    if (strcmp(in, "*") == 0) {
        snprintf(out, cap, "*");
        return true;
    }
    if (strlen(in) >= cap) {
        fprintf(stderr, "alidade partner: --%s list too long\n", what);
        return false;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", in);
    char *save = NULL;
    for (char *id = strtok_r(buf, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        struct store_collection col;
        if (strcmp(id, "*") == 0 || store_collection_get(st, id, &col) != ALD_E_OK) {
            fprintf(stderr, "alidade partner: --%s: no collection '%s' (alidade collection list)\n",
                    what, id);
            return false;
        }
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? "," : "", id);
    }
    return true;
}

/* The default collection's id into out. */
static bool default_collection(store *st, char *out, size_t cap)
{
    struct store_collection *cols = NULL;
    size_t n = 0;
    bool ok = false;
    if (store_collections(st, &cols, &n) == ALD_E_OK)
        for (size_t i = 0; i < n && !ok; i++)
            if (cols[i].is_default) {
                snprintf(out, cap, "%s", cols[i].id);
                ok = true;
            }
    free(cols);
    return ok;
}

/* Fills p from the options (name already set); false after a message. */
static bool partner_fill(store *st, const struct partner_opts *o, struct store_partner *p)
{
    if (o->identity && !identity_ok(o->identity)) {
        fprintf(stderr, "alidade partner add: --identity '%s' is not identity--UUID\n", o->identity);
        return false;
    }
    snprintf(p->identity, sizeof p->identity, "%s", o->identity ? o->identity : "");
    const char *groups = o->groups ? o->groups : "";
    if (!share_groups_valid(groups)) {
        fprintf(stderr, "alidade partner add: --groups '%s': comma-separated names of A-Z a-z "
                        "0-9 . _ - (1-63 characters each)\n", groups);
        return false;
    }
    snprintf(p->groups, sizeof p->groups, "%s", groups);
    if (o->cert_fp && !cert_fp_norm(o->cert_fp, p->cert_fp)) {
        fprintf(stderr, "alidade partner add: --cert-fp: 64 hex digits (SHA-256) expected\n");
        return false;
    }
    if (o->read) {
        if (!grants_norm(st, "read", o->read, p->read, sizeof p->read))
            return false;
    } else if (!default_collection(st, p->read, sizeof p->read)) {
        fprintf(stderr, "alidade partner add: the store has no default collection\n");
        return false;
    }
    return grants_norm(st, "write", o->write ? o->write : "", p->write, sizeof p->write);
}

/* A new token into p's hash; the token itself into tok. */
static bool partner_new_token(struct store_partner *p, char tok[SHARE_TOKEN_TEXT])
{
    ald_err e = share_token_new(tok);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade partner: no token: %s\n", ald_strerror(e));
        return false;
    }
    share_token_hash(tok, strlen(tok), p->token_hash);
    return true;
}

/* Writes p and its audit record in one transaction. */
static bool partner_save(store *st, const struct store_partner *p, const char *action)
{
    char detail[10240];
    snprintf(detail, sizeof detail,
             "partner=%s identity=%s groups=%s read=%s write=%s cert=%s url=%s pull=%s push=%s "
             "push_from=%s pull_into=%s remote_user=%s remote_token=%s reshare=%s "
             "remote_ca=%s remote_cert=%s",
             p->name, p->identity, p->groups, p->read, p->write, p->cert_fp[0] ? "yes" : "no",
             p->url, p->pull, p->push, p->push_from, p->pull_into, p->remote_user,
             p->remote_token[0] ? "set" : "none", p->reshare ? "yes" : "no", p->remote_ca,
             p->remote_cert);
    ald_err e = store_begin(st);
    if (e == ALD_E_OK)
        e = store_partner_put(st, p);
    if (e == ALD_E_OK)
        e = store_audit(st, clock_wall_us(), "local", action, p->name, detail);
    if (e == ALD_E_OK)
        e = store_commit(st);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade partner: %s\n", store_errmsg(st));
        store_rollback(st);
        return false;
    }
    return true;
}

/* ---- federation settings ---- */

/* Remote collection ids: comma-separated items of [A-Za-z0-9._~-] (they go
 * into a URL path as they are; UUIDs in practice). */
static bool remote_ids_norm(const char *what, const char *in, char *out, size_t cap)
{
    if (strlen(in) >= cap) {
        fprintf(stderr, "alidade partner: --%s list too long\n", what);
        return false;
    }
    bool item = false;
    for (const char *c = in; *c; c++) {
        bool ok = isalnum((unsigned char)*c) || strchr("._~-", *c);
        if (*c == ',' ? !item : !ok) {
            fprintf(stderr, "alidade partner: --%s '%s': comma-separated collection ids "
                            "(A-Z a-z 0-9 . _ ~ -)\n", what, in);
            return false;
        }
        item = *c != ',';
    }
    if (in[0] && !item) {
        fprintf(stderr, "alidade partner: --%s '%s': empty item\n", what, in);
        return false;
    }
    snprintf(out, cap, "%s", in);
    return true;
}

/* http(s)://HOST... with a '/' at the end (paths are appended to it). */
static bool url_norm(const char *in, char *out, size_t cap)
{
    if (strncmp(in, "http://", 7) != 0 && strncmp(in, "https://", 8) != 0) {
        fprintf(stderr, "alidade partner: --url '%s': an http:// or https:// TAXII API root "
                        "URL expected\n", in);
        return false;
    }
    size_t n = strlen(in);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)in[i] <= 0x20 || in[i] == 0x7f) {
            fprintf(stderr, "alidade partner: --url: no blanks or control characters\n");
            return false;
        }
    if (n + 2 > cap) {
        fprintf(stderr, "alidade partner: --url too long\n");
        return false;
    }
    snprintf(out, cap, "%s%s", in, in[n - 1] == '/' ? "" : "/");
    return true;
}

/* The token from --remote-token-file (first line) or --remote-token-env,
 * blanks around it removed, into out[cap]. */
static bool token_read(const struct partner_opts *o, char *out, size_t cap)
{
    char buf[512] = "";
    if (o->token_file) {
        FILE *f = fopen(o->token_file, "r");
        if (!f) {
            fprintf(stderr, "alidade partner: --remote-token-file %s: cannot read\n",
                    o->token_file);
            return false;
        }
        if (!fgets(buf, sizeof buf, f))
            buf[0] = 0;
        fclose(f);
    } else {
        const char *v = getenv(o->token_env);
        if (!v) {
            fprintf(stderr, "alidade partner: --remote-token-env: %s is not set\n", o->token_env);
            return false;
        }
        snprintf(buf, sizeof buf, "%s", v);
    }
    char *b = buf;
    while (*b && isspace((unsigned char)*b))
        b++;
    size_t n = strlen(b);
    while (n && isspace((unsigned char)b[n - 1]))
        b[--n] = 0;
    bool ok = n > 0 && n < cap;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)b[i] > 0x20 && b[i] != 0x7f && b[i] != ':';
    if (!ok)
        fprintf(stderr, "alidade partner: the remote token (%s) must be 1-%zu printable "
                        "characters without blanks or ':'\n",
                o->token_file ? o->token_file : o->token_env, cap - 1);
    else
        snprintf(out, cap, "%s", b);
    memset(buf, 0, sizeof buf);
    return ok;
}

/* Our collection ids (they must exist), comma-separated. */
static bool local_ids_norm(store *st, const char *what, const char *in, char *out, size_t cap)
{
    if (strcmp(in, "*") == 0) {
        fprintf(stderr, "alidade partner: --%s: collection ids, not '*'\n", what);
        return false;
    }
    return grants_norm(st, what, in, out, cap);
}

/* A file option: '' clears it, otherwise a readable file whose absolute
 * path goes into out. */
static bool file_opt(const char *what, const char *in, char *out, size_t cap)
{
    if (!in[0]) {
        out[0] = 0;
        return true;
    }
    char *abs = realpath(in, NULL);
    FILE *f = abs ? fopen(abs, "r") : NULL;
    if (!f || strlen(abs) >= cap) {
        fprintf(stderr, "alidade partner: --%s %s: %s\n", what, in,
                f ? "path too long" : "cannot read");
        if (f)
            fclose(f);
        free(abs);
        return false;
    }
    fclose(f);
    snprintf(out, cap, "%s", abs);
    free(abs);
    return true;
}

/* Applies the federation options given to p. */
static bool fed_fill(store *st, const struct partner_opts *o, struct store_partner *p)
{
    if (o->url && !url_norm(o->url, p->url, sizeof p->url))
        return false;
    if (o->pull && !remote_ids_norm("pull", o->pull, p->pull, sizeof p->pull))
        return false;
    if (o->push && !remote_ids_norm("push", o->push, p->push, sizeof p->push))
        return false;
    if (o->push_from && !local_ids_norm(st, "push-from", o->push_from, p->push_from,
                                        sizeof p->push_from))
        return false;
    if (o->pull_into) {
        if (strchr(o->pull_into, ',')) {
            fprintf(stderr, "alidade partner: --pull-into: one collection id\n");
            return false;
        }
        if (!local_ids_norm(st, "pull-into", o->pull_into, p->pull_into, sizeof p->pull_into))
            return false;
    }
    if (o->remote_user) {
        if (!share_name_valid(o->remote_user)) {
            fprintf(stderr, "alidade partner: --remote-user '%s': 1-63 characters of A-Z a-z "
                            "0-9 . _ -\n", o->remote_user);
            return false;
        }
        snprintf(p->remote_user, sizeof p->remote_user, "%s", o->remote_user);
    }
    if ((o->token_file || o->token_env) &&
        !token_read(o, p->remote_token, sizeof p->remote_token))
        return false;
    if (o->reshare >= 0)
        p->reshare = o->reshare == 1;
    if ((o->remote_ca && !file_opt("remote-ca", o->remote_ca, p->remote_ca, sizeof p->remote_ca)) ||
        (o->remote_cert &&
         !file_opt("remote-cert", o->remote_cert, p->remote_cert, sizeof p->remote_cert)) ||
        (o->remote_key &&
         !file_opt("remote-key", o->remote_key, p->remote_key, sizeof p->remote_key)))
        return false;
    if (!p->remote_cert[0] != !p->remote_key[0]) {
        fprintf(stderr, "alidade partner: --remote-cert and --remote-key go together\n");
        return false;
    }
    if ((p->pull[0] || p->push[0]) && !p->url[0]) {
        fprintf(stderr, "alidade partner: --pull and --push need --url\n");
        return false;
    }
    return true;
}

/* The federation settings, one line (never the token). */
static void fed_describe(const struct store_partner *p, char out[5120], size_t cap)
{
    if (!p->url[0]) {
        snprintf(out, cap, "no sync");
        return;
    }
    snprintf(out, cap, "sync with %s: pull %s, push %s, as %s, token %s, reshare %s%s%s%s",
             p->url, p->pull[0] ? p->pull : "(none)", p->push[0] ? p->push : "(none)",
             p->remote_user[0] ? p->remote_user : "(bearer)",
             p->remote_token[0] ? "set" : "NOT SET", p->reshare ? "yes" : "no",
             p->remote_cert[0] ? ", client certificate" : "", p->remote_ca[0] ? ", CA " : "",
             p->remote_ca);
}

static int partner_add(store *st, const struct partner_opts *o)
{
    struct store_partner p, old;
    memset(&p, 0, sizeof p);
    snprintf(p.name, sizeof p.name, "%s", o->name);
    if (store_partner_get(st, o->name, &old) == ALD_E_OK) {
        fprintf(stderr, "alidade partner add: partner '%s' exists (rotate gives a new token, "
                        "remove deletes it)\n", o->name);
        return 1;
    }
    if (!partner_fill(st, o, &p) || !fed_fill(st, o, &p))
        return 1;
    p.created = clock_wall_us();
    char tok[SHARE_TOKEN_TEXT];
    if (!partner_new_token(&p, tok) || !partner_save(st, &p, "partner-add"))
        return 1;
    char sync[5120];
    fed_describe(&p, sync, sizeof sync);
    printf("partner %s added: identity %s, groups %s, read %s, write %s%s; %s\n"
           "its bearer token (shown only now; HTTP Basic user '%s' with this password, or "
           "'Authorization: Bearer'):\n%s\n",
           p.name, p.identity[0] ? p.identity : "(none)", p.groups[0] ? p.groups : "(none)",
           p.read[0] ? p.read : "(none)", p.write[0] ? p.write : "(none)",
           p.cert_fp[0] ? ", client certificate" : "", sync, p.name, tok);
    memset(tok, 0, sizeof tok);
    return 0;
}

static int partner_rotate(store *st, const struct partner_opts *o)
{
    struct store_partner p;
    if (store_partner_get(st, o->name, &p) != ALD_E_OK) {
        fprintf(stderr, "alidade partner rotate: no partner '%s'\n", o->name);
        return 1;
    }
    char tok[SHARE_TOKEN_TEXT];
    if (!partner_new_token(&p, tok) || !partner_save(st, &p, "partner-rotate"))
        return 1;
    printf("partner %s: new bearer token (the old one no longer works; shown only now):\n%s\n",
           p.name, tok);
    memset(tok, 0, sizeof tok);
    return 0;
}

static int partner_set(store *st, const struct partner_opts *o)
{
    struct store_partner p;
    if (store_partner_get(st, o->name, &p) != ALD_E_OK) {
        fprintf(stderr, "alidade partner set: no partner '%s'\n", o->name);
        return 1;
    }
    if (!fed_given(o)) {
        fprintf(stderr, "alidade partner set: nothing to change (federation options: "
                        "alidade partner --help)\n");
        return 2;
    }
    if (!fed_fill(st, o, &p) || !partner_save(st, &p, "partner-set"))
        return 1;
    char sync[5120];
    fed_describe(&p, sync, sizeof sync);
    printf("partner %s: %s\n", p.name, sync);
    return 0;
}

/* Collects the keys of a partner's federation state (to remove them). */
struct keys {
    char (*k)[256];
    size_t n, cap;
};

static int key_cb(void *ctx, const char *key, const char *value)
{
    (void)value;
    struct keys *ks = ctx;
    if (ks->n == ks->cap) {
        size_t cap = ks->cap ? 2 * ks->cap : 16;
        char(*k)[256] = realloc(ks->k, cap * sizeof *k);
        if (!k)
            return ALD_E_NOMEM;
        ks->k = k;
        ks->cap = cap;
    }
    snprintf(ks->k[ks->n++], 256, "%s", key);
    return 0;
}

/* Removes "fed/NAME/..." state (cursors, counters): a partner added again
 * under the name starts from the beginning (the store drops what it has). */
static ald_err fed_state_remove(store *st, const char *name)
{
    char prefix[96];
    snprintf(prefix, sizeof prefix, "fed/%s/", name);
    struct keys ks = {0};
    ald_err e = store_state_list(st, prefix, key_cb, &ks);
    for (size_t i = 0; e == ALD_E_OK && i < ks.n; i++)
        e = store_state_remove(st, ks.k[i]);
    free(ks.k);
    return e;
}

static int partner_remove(store *st, const struct partner_opts *o)
{
    ald_err e = store_begin(st);
    if (e == ALD_E_OK)
        e = store_partner_remove(st, o->name);
    if (e == ALD_E_OK)
        e = fed_state_remove(st, o->name);
    if (e == ALD_E_OK)
        e = store_audit(st, clock_wall_us(), "local", "partner-remove", o->name, o->name);
    if (e == ALD_E_OK)
        e = store_commit(st);
    if (e != ALD_E_OK) {
        fprintf(stderr, "alidade partner remove: %s\n",
                e == ALD_E_NOT_FOUND ? "no such partner" : store_errmsg(st));
        store_rollback(st);
        return 1;
    }
    printf("partner %s removed\n", o->name);
    return 0;
}

static int partner_list(store *st)
{
    struct store_partner *ps = NULL;
    size_t n = 0;
    if (store_partners(st, &ps, &n) != ALD_E_OK) {
        fprintf(stderr, "alidade partner list: %s\n", store_errmsg(st));
        return 1;
    }
    printf("name\tidentity\tgroups\tread\twrite\ttoken\tcert\tcreated\turl\tpull\tpush\t"
           "push_from\tpull_into\tremote_user\tremote_token\treshare\tremote_ca\t"
           "remote_cert\n");
    for (size_t i = 0; i < n; i++) {
        const struct store_partner *p = &ps[i];
        char tok[16], created[STIX_TIME_TEXT];
        snprintf(tok, sizeof tok, "%.8s", p->token_hash[0] ? p->token_hash : "-");
        stix_time_format(p->created, created);
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
               p->name,
               p->identity[0] ? p->identity : "-", p->groups[0] ? p->groups : "-",
               p->read[0] ? p->read : "-", p->write[0] ? p->write : "-", tok,
               p->cert_fp[0] ? "yes" : "-", created, p->url[0] ? p->url : "-",
               p->pull[0] ? p->pull : "-", p->push[0] ? p->push : "-",
               p->push_from[0] ? p->push_from : "-", p->pull_into[0] ? p->pull_into : "-",
               p->remote_user[0] ? p->remote_user : "-", p->remote_token[0] ? "set" : "-",
               p->reshare ? "yes" : "no", p->remote_ca[0] ? p->remote_ca : "-",
               p->remote_cert[0] ? p->remote_cert : "-");
    }
    free(ps);
    return 0;
}

/* The members of group `name`, comma-separated, into out. */
static void group_members(const struct store_partner *ps, size_t n, const char *name, char *out,
                          size_t cap)
{
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        char list[sizeof ps[i].groups + 2], want[72];
        snprintf(list, sizeof list, ",%s,", ps[i].groups);
        snprintf(want, sizeof want, ",%s,", name);
        size_t k = strlen(out);
        if (strstr(list, want) && k + strlen(ps[i].name) + 2 < cap)
            snprintf(out + k, cap - k, "%s%s", k ? "," : "", ps[i].name);
    }
}

static int partner_groups(store *st, bool stix)
{
    struct store_partner *ps = NULL;
    struct share_group *g = NULL;
    size_t n = 0, ng = 0;
    if (store_partners(st, &ps, &n) != ALD_E_OK) {
        fprintf(stderr, "alidade partner groups: %s\n", store_errmsg(st));
        return 1;
    }
    if (share_known_groups(ps, n, &g, &ng) != ALD_E_OK) {
        free(ps);
        fprintf(stderr, "alidade partner groups: out of memory\n");
        return 1;
    }
    if (!stix)
        printf("group\tmarking\tpartners\n");
    for (size_t i = 0; i < ng; i++) {
        char buf[1024];
        if (stix) {
            if (share_group_marking_json(g[i].name, buf, sizeof buf))
                printf("%s\n", buf);
            continue;
        }
        group_members(ps, n, g[i].name, buf, sizeof buf);
        printf("%s\t%s\t%s\n", g[i].name, g[i].id, buf);
    }
    free(g);
    free(ps);
    return 0;
}

int cmd_partner(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        partner_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    bool named = strcmp(sub, "add") == 0 || strcmp(sub, "rotate") == 0 ||
                 strcmp(sub, "remove") == 0 || strcmp(sub, "set") == 0;
    if (!named && strcmp(sub, "list") != 0 && strcmp(sub, "groups") != 0) {
        fprintf(stderr, "alidade partner: unknown subcommand '%s'\n", sub);
        partner_usage(stderr);
        return 2;
    }
    struct partner_opts o;
    int rc = partner_parse(argc - 1, argv + 1, &o);
    if (rc >= 0)
        return rc;
    if (named != (o.name != NULL)) {
        fprintf(stderr, named ? "alidade partner %s: NAME is required\n"
                              : "alidade partner %s: takes no NAME\n", sub);
        return 2;
    }
    if (o.stix && strcmp(sub, "groups") != 0) {
        fprintf(stderr, "alidade partner %s: --stix goes with groups\n", sub);
        return 2;
    }
    if (strcmp(sub, "add") != 0 &&
        (o.identity || o.groups || o.read || o.write || o.cert_fp)) {
        fprintf(stderr, "alidade partner %s: --identity, --groups, --read, --write and "
                        "--cert-fp go with add\n", sub);
        return 2;
    }
    if (strcmp(sub, "add") != 0 && strcmp(sub, "set") != 0 && fed_given(&o)) {
        fprintf(stderr, "alidade partner %s: the federation options go with add and set\n", sub);
        return 2;
    }
    if (o.token_file && o.token_env) {
        fprintf(stderr, "alidade partner %s: --remote-token-file or --remote-token-env, not "
                        "both\n", sub);
        return 2;
    }
    if (o.reshare == 0 && strcmp(sub, "set") != 0) {
        fprintf(stderr, "alidade partner %s: --no-reshare goes with set (add: no re-share "
                        "unless --reshare)\n", sub);
        return 2;
    }
    if (named && !share_name_valid(o.name)) {
        fprintf(stderr, "alidade partner %s: name '%s': 1-63 characters of A-Z a-z 0-9 . _ -, "
                        "not starting with '-' or '.'\n", sub, o.name);
        return 2;
    }
    char err[256];
    store *st = store_open(o.data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade partner %s: %s\n", sub, err);
        return 1;
    }
    if (strcmp(sub, "add") == 0)
        rc = partner_add(st, &o);
    else if (strcmp(sub, "rotate") == 0)
        rc = partner_rotate(st, &o);
    else if (strcmp(sub, "remove") == 0)
        rc = partner_remove(st, &o);
    else if (strcmp(sub, "set") == 0)
        rc = partner_set(st, &o);
    else if (strcmp(sub, "groups") == 0)
        rc = partner_groups(st, o.stix);
    else
        rc = partner_list(st);
    store_close(st);
    return rc;
}

/* ---- collection ---- */

/* `alidade collection add TITLE --data DIR [--description D]` prints the new
 * collection's id alone on the last line; `alidade collection list --data
 * DIR` prints id, title, default flag and description, tab-separated. */

static void collection_usage(FILE *f)
{
    fprintf(f,
        "usage: alidade collection add TITLE --data DIR [--description D]\n"
        "       alidade collection list --data DIR\n"
        "\n"
        "TAXII collections of this node (a new node has one, \"Default\").\n"
        "  add TITLE   new collection; prints its id alone on the last line\n"
        "  list        id, title, default, description (tab-separated)\n"
        "\n"
        "Options:\n"
        "  --data DIR          the node's data directory (required)\n"
        "  --description D     (add) free text shown to TAXII clients\n"
        "  -h, --help          this help\n");
}

int cmd_collection(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        collection_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    bool add = strcmp(sub, "add") == 0;
    if (!add && strcmp(sub, "list") != 0) {
        fprintf(stderr, "alidade collection: unknown subcommand '%s'\n", sub);
        collection_usage(stderr);
        return 2;
    }
    static const struct option lo[] = {
        {"data", required_argument, NULL, 'd'},
        {"description", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *data = NULL, *desc = NULL, *title = NULL;
    int c;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (c) {
        case 'd': data = optarg; break;
        case 'D': desc = optarg; break;
        case 'h': collection_usage(stdout); return 0;
        default:
            fprintf(stderr, "run 'alidade collection --help' for the options\n");
            return 2;
        }
    }
    if (add && optind < argc)
        title = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "alidade collection %s: unexpected argument '%s'\n", sub, argv[optind]);
        return 2;
    }
    if (!data) {
        fprintf(stderr, "alidade collection %s: --data DIR is required\n", sub);
        return 2;
    }
    if (add && (!title || !title[0])) {
        fprintf(stderr, "alidade collection add: TITLE is required\n");
        return 2;
    }
    if (!add && desc) {
        fprintf(stderr, "alidade collection list: --description goes with add\n");
        return 2;
    }
    char err[256];
    store *st = store_open(data, err, sizeof err);
    if (!st) {
        fprintf(stderr, "alidade collection %s: %s\n", sub, err);
        return 1;
    }
    int rc = 0;
    if (add) {
        char id[STORE_UUID_TEXT];
        ald_err e = store_begin(st);
        if (e == ALD_E_OK)
            e = store_collection_add(st, title, desc ? desc : "", id);
        if (e == ALD_E_OK)
            e = store_audit(st, clock_wall_us(), "local", "collection-add", id, title);
        if (e == ALD_E_OK)
            e = store_commit(st);
        if (e != ALD_E_OK) {
            fprintf(stderr, "alidade collection add: %s\n", store_errmsg(st));
            store_rollback(st);
            rc = 1;
        } else {
            printf("collection \"%s\" added; its id:\n%s\n", title, id);
        }
    } else {
        struct store_collection *cols = NULL;
        size_t n = 0;
        if (store_collections(st, &cols, &n) != ALD_E_OK) {
            fprintf(stderr, "alidade collection list: %s\n", store_errmsg(st));
            rc = 1;
        } else {
            printf("id\ttitle\tdefault\tdescription\n");
            for (size_t i = 0; i < n; i++)
                printf("%s\t%s\t%s\t%s\n", cols[i].id, cols[i].title,
                       cols[i].is_default ? "yes" : "-", cols[i].description);
        }
        free(cols);
    }
    store_close(st);
    return rc;
}
