/*
 * evalpriv.h - what eval.c (compiling a pattern, comparison expressions on
 * one observation) and bind.c (observation expressions: bindings over many
 * observations) share inside lib/pattern: the compiled pattern and the
 * scratch memory.
 */
#ifndef ALD_PATTERN_EVALPRIV_H
#define ALD_PATTERN_EVALPRIV_H

#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "alidade/pattern_match.h"

/* ---- scratch memory ------------------------------------------------------- */

struct ablk {
    struct ablk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct ablk *head;
};

/* Allocation from the arena (aligned, never freed alone); NULL when out
 * of memory. */
void *pm_alloc(struct arena *a, size_t n);
/* Frees every block of the arena. */
void pm_afree(struct arena *a);

/* ---- compiled pattern ------------------------------------------------------- */

enum lk { LK_INT, LK_FLOAT, LK_STR, LK_BOOL, LK_BYTES, LK_TS };

struct lit {
    enum lk k;
    int64_t i;
    double f;
    int b;
    const uint8_t *s;       /* STR (UTF-8) or BYTES */
    size_t n;
    uint8_t *lat;           /* STR as Latin-1 when every code point < 256 */
    long nlat;              /* -1 when not convertible */
    int64_t ts;             /* µs */
};

struct ctest {
    const ald_pcexpr *e;
    struct lit lit;
    struct lit *set;        /* IN */
    size_t nset;
    int set_ts;             /* a non-empty set of timestamps */
    const struct lit **sorted;  /* a set of strings only, sorted: binary search */
    pcre2_code *re;         /* LIKE, MATCHES: over (NFC) text */
    pcre2_code *reb;        /* MATCHES over bytes, when bin_ok */
    int bin_ok;             /* every code point of the literal < 256 */
    char *net;              /* ISSUBSET / ISSUPERSET literal, NUL-terminated */
};

struct cnode {
    ald_pce_kind kind;
    size_t idx;
    struct cnode *l, *r;
    struct ctest t;
};

struct onode {
    ald_poe_kind kind;
    struct onode *l, *r;
    struct cnode *cmp;      /* OBS */
    size_t leaf;            /* OBS: 0..nleaves-1, left to right */
    int64_t within_us;
    int64_t repeats;
    int64_t start_us, stop_us;
    size_t w;               /* binding width */
};

struct ald_pmatch {
    const ald_pattern *p;
    struct arena code;          /* compiled nodes and literals */
    struct onode *root;
    struct cnode **cn;          /* every comparison node, by idx */
    size_t ncn, capcn;
    struct onode **leaves;
    size_t nleaves, capleaves;
    pcre2_match_data *md;
    struct arena tmp;           /* per-test scratch */
    struct pv *va, *vb;         /* object path walk */
    size_t capa, capb;
    unsigned char *nodeval;     /* per comparison node, one root */
};

/* err (may be NULL) = code, offset (column = offset + 1) and message. */
void pm_seterr(struct ald_errpos *err, ald_err code, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Every node of comparison tree n on one root object of o (no short cut:
 * the reference evaluates every test); values land in m->nodeval. 1/0,
 * -1 error (err set), -2 out of memory. */
int pm_eval_cnode(ald_pmatch *m, const struct cnode *n, const ald_pobs *o, json_t *root,
                  struct ald_errpos *err);
/* The error code of a negative result of pm_eval_cnode. */
ald_err pm_errcode(int rc);

#endif
