/*
 * fed.c - federation of `alidade serve` (node.h, docs/federation.md): keeps
 * this node in sync with every partner that has a TAXII URL, one worker
 * thread per partner so that a partner that answers slowly, or accepts the
 * connection and then stalls, delays its own sync only.
 *
 * The manager thread (one store connection) reads the store's latest
 * date_added and the partner list every FED_POLL_MS (two small queries):
 *   - it starts a worker for each partner with a URL and stops (and joins)
 *     the worker of a partner removed or left without a URL, so `alidade
 *     partner add|set|remove` takes effect without a restart;
 *   - when something new is in the store, or the partners changed, it
 *     kicks every worker: an object leaves for every partner within about
 *     FED_POLL_MS, whatever the other partners do.
 * A worker (its own store connection, HTTP client and backoff) pushes when
 * kicked, pulls every --sync-interval, retries after 1, 2, 4 ... 60 s, and
 * reads its partner's settings from the manager's latest view (a snapshot
 * shared by reference count, so 50 workers do not each read the partner
 * table ten times a second).
 *
 * Why a thread per partner and not a small pool: libcurl's requests here
 * block their thread, and a pool of K threads is stalled by K stalled
 * partners; a thread costs little (its stack is touched only as deep as
 * SQLite, GnuTLS and jansson go, its store connection's cache is emptied
 * whenever another connection writes) and 50 partners are 50 threads
 * (docs/federation.md, "Workers": measured).
 *
 * fed_stop sets every worker's stop flag and wakes its HTTP client (a
 * request in progress ends at once), then joins them all.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fed_int.h"

/* How often the manager asks the store whether something new came. */
#define FED_POLL_MS 100
/* After a worker could not be started (out of memory, store), the manager
 * tries again this much later (not every poll: one log line per try). */
#define FED_RESTART_US 5000000

/* The partners as the manager last read them, shared with the workers:
 * immutable once made, freed by whoever drops the last reference. */
struct fed_view {
    atomic_size_t refs;
    struct store_partner *ps;
    size_t np;
    struct share_group *groups;
    size_t ng;
};

struct fed {
    const struct node_env *env;
    store *st;                       /* the manager's connection */
    atomic_bool stop;
    pthread_t thread;
    bool running;
    pthread_mutex_t mu;              /* for the manager's nap */
    pthread_cond_t cv;
    /* the manager thread's alone (after fed_start) */
    struct fed_worker *workers;
    struct fed_view *view;
    int64_t restart_at;
};

static void view_release(struct fed_view *v)
{
    if (v && atomic_fetch_sub(&v->refs, 1) == 1) {
        free(v->ps);
        free(v->groups);
        free(v);
    }
}

static void view_hold(struct fed_view *v)
{
    atomic_fetch_add(&v->refs, 1);
}

static void describe_metrics(metrics *m)
{
    metrics_describe(m, "alidade_fed_objects_in_total", "counter",
                     "Objects pulled from a partner and stored");
    metrics_describe(m, "alidade_fed_objects_out_total", "counter",
                     "Objects a partner accepted from our pushes");
    metrics_describe(m, "alidade_fed_errors_total", "counter",
                     "Failed sync requests and refused or invalid objects, per partner");
    metrics_describe(m, "alidade_fed_errors_by_reason_total", "counter",
                     "Federation errors by reason (network, http, auth, protocol, store, "
                     "invalid, rejected)");
    metrics_describe(m, "alidade_fed_lag_seconds", "gauge",
                     "Age of the oldest object not yet accepted by the partner, or how far "
                     "our pull cursor is behind, after the last round");
    metrics_describe(m, "alidade_fed_workers", "gauge",
                     "Partner workers running (one per partner with a URL)");
}

/* The absolute CLOCK_REALTIME time us microseconds from the epoch. */
static struct timespec abs_time(int64_t us)
{
    return (struct timespec){.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
}

static int64_t backoff_next(int64_t cur)
{
    if (cur < FED_BACKOFF_MIN_US)
        return FED_BACKOFF_MIN_US;
    return cur * 2 > FED_BACKOFF_MAX_US ? FED_BACKOFF_MAX_US : cur * 2;
}

/* ---- a worker ---- */

/* The worker's current view (held: view_release it), NULL when none yet. */
static struct fed_view *worker_view(struct fed_worker *w)
{
    pthread_mutex_lock(&w->mu);
    struct fed_view *v = w->view;
    if (v)
        view_hold(v);
    pthread_mutex_unlock(&w->mu);
    return v;
}

/* One round with the partner: pull when due, push when asked. */
static void sync_partner(struct fed_worker *w, const struct store_partner *sp,
                         const struct share_config *cfg, bool pull_due, bool push_due)
{
    struct fed_peer *p = &w->peer;
    fed_peer_load(w, p);
    int64_t now = clock_wall_us();
    /* a retry pending for a direction no longer configured would wake the
     * worker in a loop (worker_deadline) */
    if (!sp->pull[0])
        p->pull_retry_at = p->pull_backoff = 0;
    if (!sp->push[0])
        p->push_retry_at = p->push_backoff = 0;
    bool did = false, ok = true;
    double lag = 0, push_lag = 0;
    if (sp->pull[0] && (pull_due || (p->pull_retry_at && now >= p->pull_retry_at))) {
        did = true;
        if (fed_pull(w, sp, p)) {
            p->pull_retry_at = p->pull_backoff = 0;
        } else {
            ok = false;
            p->pull_backoff = backoff_next(p->pull_backoff);
            p->pull_retry_at = clock_wall_us() + p->pull_backoff;
        }
    }
    bool wait = p->push_retry_at && now < p->push_retry_at;
    if (sp->push[0] && !wait && (push_due || p->push_retry_at)) {
        did = true;
        if (fed_push(w, sp, p, cfg, &push_lag)) {
            p->push_retry_at = p->push_backoff = 0;
        } else {
            ok = false;
            p->push_backoff = backoff_next(p->push_backoff);
            p->push_retry_at = clock_wall_us() + p->push_backoff;
        }
    }
    if (!did || atomic_load(&w->stop))
        return;
    if (ok) {
        fed_done(w, p, sp, lag);
    } else {
        /* how far behind: the oldest object not accepted, or since the
         * last good round */
        lag = push_lag;
        p->lag_s = lag;
        metrics_set(w->env->metrics, "alidade_fed_lag_seconds", "partner", p->name, lag);
        p->contacted = false;
        fed_peer_save_alone(w, p);
        if (p->changed) {
            char *j = fed_peer_json(p, sp);
            if (j && w->env->pic)
                picture_news(w->env->pic, "sync", j);
            free(j);
            p->changed = false;
        }
    }
}

/* The partner's settings in the view and a round with them. */
static void worker_round(struct fed_worker *w, bool pull_due, bool push_due)
{
    struct fed_view *v = worker_view(w);
    if (!v)
        return;
    const struct store_partner *sp = NULL;
    for (size_t i = 0; i < v->np && !sp; i++)
        if (strcmp(v->ps[i].name, w->peer.name) == 0)
            sp = &v->ps[i];
    /* removed or without a URL since: the manager stops this worker */
    if (sp && sp->url[0]) {
        struct share_config cfg = {.default_tlp = w->env->o->default_tlp, .groups = v->groups,
                                   .ngroups = v->ng};
        sync_partner(w, sp, &cfg, pull_due, push_due);
    } else {
        w->peer.pull_retry_at = w->peer.push_retry_at = 0;
    }
    view_release(v);
}

/* The earliest time the worker has something to do without a kick. */
static int64_t worker_deadline(const struct fed_worker *w, int64_t next_pull)
{
    int64_t t = next_pull;
    if (w->peer.pull_retry_at && w->peer.pull_retry_at < t)
        t = w->peer.pull_retry_at;
    if (w->peer.push_retry_at && w->peer.push_retry_at < t)
        t = w->peer.push_retry_at;
    return t;
}

static void *worker_run(void *arg)
{
    struct fed_worker *w = arg;
    const int64_t interval = (int64_t)(w->sync_interval ? w->sync_interval : 30) * 1000000;
    int64_t next_pull = 0;           /* pull at once */
    uint64_t seen = 0;
    bool first = true;               /* and push at once */
    while (!atomic_load(&w->stop)) {
        pthread_mutex_lock(&w->mu);
        while (!atomic_load(&w->stop) && !first && w->kicks == seen) {
            int64_t due = worker_deadline(w, next_pull);
            if (clock_wall_us() >= due)
                break;
            struct timespec ts = abs_time(due);
            pthread_cond_timedwait(&w->cv, &w->mu, &ts);
        }
        uint64_t k = w->kicks;
        pthread_mutex_unlock(&w->mu);
        if (atomic_load(&w->stop))
            break;
        int64_t now = clock_wall_us();
        bool push_due = first || k != seen;
        bool pull_due = now >= next_pull;
        seen = k;
        first = false;
        /* a push also every pull interval: a partner added or changed
         * while nothing new comes still gets what it may */
        worker_round(w, pull_due, push_due || pull_due);
        if (pull_due)
            next_pull = now + interval;
    }
    return NULL;
}

/* Wakes w: something new in the store, or its settings changed. */
static void worker_kick(struct fed_worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->kicks++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

/* Gives w the view v (held for it). */
static void worker_set_view(struct fed_worker *w, struct fed_view *v)
{
    view_hold(v);
    pthread_mutex_lock(&w->mu);
    struct fed_view *old = w->view;
    w->view = v;
    pthread_mutex_unlock(&w->mu);
    view_release(old);
}

/* Sets the stop flag and cuts a request in progress short; the thread
 * ends soon after (worker_join). */
static void worker_signal_stop(struct fed_worker *w)
{
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stop, true);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    tc_wake(w->http);
}

static void worker_free(struct fed_worker *w)
{
    if (!w)
        return;
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    view_release(w->view);
    tc_free(w->http);
    store_close(w->st);
    free(w);
}

static void worker_join(struct fed *f, struct fed_worker *w)
{
    pthread_join(w->thread, NULL);
    nlog_kv(f->env->log, NLOG_INFO, "fed", "partner worker stopped", "partner", w->peer.name,
            NULL);
    worker_free(w);
}

/* The request limits of every worker: --fed-timeout or the defaults. */
static struct tc_limits limits_of(const struct node_env *env)
{
    struct tc_limits l = {0};
    if (env->o->fed_timeout) {
        l.connect_s = l.stall_s = (long)env->o->fed_timeout;
        l.total_s = 60 * (long)env->o->fed_timeout;
    }
    return l;
}

/* A worker for partner name, started with view v; NULL (logged) when it
 * cannot start. */
static struct fed_worker *worker_start(struct fed *f, const char *name, struct fed_view *v)
{
    struct fed_worker *w = calloc(1, sizeof *w);
    char serr[256] = "out of memory";
    if (!w)
        goto fail;
    w->env = f->env;
    atomic_init(&w->stop, false);
    snprintf(w->peer.name, sizeof w->peer.name, "%s", name);
    w->sync_interval = f->env->o->sync_interval;
    w->pull_page = FED_PULL_PAGE;
    /* tests make pages small to stop a node in the middle of a pull or push */
    const char *pg = getenv("ALD_FED_PAGE");
    if (pg && atoi(pg) > 0)
        w->pull_page = (size_t)atoi(pg);
    w->push_batch = FED_PUSH_BATCH;
    const char *pb = getenv("ALD_FED_BATCH");
    if (pb && atoi(pb) > 0)
        w->push_batch = (size_t)atoi(pb);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->view = v;
    view_hold(v);
    struct tc_limits lim = limits_of(f->env);
    if (!(w->st = store_open(f->env->o->data, serr, sizeof serr)) ||
        !(w->http = tc_new(&w->stop, &lim))) {
        if (w->st)
            snprintf(serr, sizeof serr, "libcurl cannot start");
        worker_free(w);
        goto fail;
    }
    if (pthread_create(&w->thread, NULL, worker_run, w) != 0) {
        snprintf(serr, sizeof serr, "cannot start a thread");
        worker_free(w);
        goto fail;
    }
    nlog_kv(f->env->log, NLOG_INFO, "fed", "partner worker started", "partner", name, NULL);
    return w;
fail:
    nlog_kv(f->env->log, NLOG_ERROR, "fed", "cannot start the partner's worker", "partner", name,
            "error", serr, NULL);
    return NULL;
}

/* ---- the manager ---- */

/* Waits up to ms milliseconds or until fed_stop. */
static void nap(struct fed *f, int ms)
{
    struct timespec ts = abs_time(clock_wall_us() + (int64_t)ms * 1000);
    pthread_mutex_lock(&f->mu);
    if (!atomic_load(&f->stop))
        pthread_cond_timedwait(&f->cv, &f->mu, &ts);
    pthread_mutex_unlock(&f->mu);
}

static bool has_url(const struct fed_view *v, const char *name)
{
    for (size_t i = 0; i < v->np; i++)
        if (v->ps[i].url[0] && strcmp(v->ps[i].name, name) == 0)
            return true;
    return false;
}

/* Whether two partner rows say the same (field by field: the bytes after
 * a string's NUL are not defined). A field added to struct store_partner
 * must be compared here too, or a change of it alone reaches the workers
 * only with the next change of another one. */
static bool same_partner(const struct store_partner *a, const struct store_partner *b)
{
#define SAME(x) (strcmp(a->x, b->x) == 0)
    return SAME(name) && SAME(identity) && SAME(token_hash) && SAME(cert_fp) && SAME(groups) &&
           SAME(read) && SAME(write) && a->created == b->created && SAME(url) && SAME(pull) &&
           SAME(push) && SAME(push_from) && SAME(pull_into) && SAME(remote_user) &&
           SAME(remote_token) && a->reshare == b->reshare && SAME(remote_ca) &&
           SAME(remote_cert) && SAME(remote_key);
#undef SAME
}

static bool same_partners(const struct store_partner *a, size_t na,
                          const struct store_partner *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!same_partner(&a[i], &b[i]))
            return false;
    return true;
}

/* The partners read now as a view; *same when they equal the current
 * view's (which is then kept: NULL returned). NULL and !*same: error
 * (logged). */
static struct fed_view *read_view(struct fed *f, bool *same)
{
    *same = false;
    struct store_partner *ps = NULL;
    size_t np = 0;
    if (store_partners(f->st, &ps, &np) != ALD_E_OK) {
        nlog_kv(f->env->log, NLOG_ERROR, "fed", "store", "error", store_errmsg(f->st), NULL);
        return NULL;
    }
    if (f->view && same_partners(f->view->ps, f->view->np, ps, np)) {
        free(ps);
        *same = true;
        return NULL;
    }
    struct fed_view *v = calloc(1, sizeof *v);
    if (!v || share_known_groups(ps, np, &v->groups, &v->ng) != ALD_E_OK) {
        nlog_kv(f->env->log, NLOG_ERROR, "fed", "out of memory", NULL);
        free(ps);
        free(v);
        return NULL;
    }
    atomic_init(&v->refs, 1);
    v->ps = ps;
    v->np = np;
    return v;
}

static const struct store_partner *find(const struct fed_view *v, const char *name)
{
    for (size_t i = 0; v && i < v->np; i++)
        if (strcmp(v->ps[i].name, name) == 0)
            return &v->ps[i];
    return NULL;
}

/* Whether a partner's requests go to the same place the same way: when
 * not (a new URL, token or certificate: `partner set` to mend a partner
 * that fails), its worker is restarted, so a request stalled at the old
 * address is cut at once instead of after its timeout. */
static bool same_link(const struct store_partner *a, const struct store_partner *b)
{
    return !a || !b ||
           (strcmp(a->url, b->url) == 0 && strcmp(a->remote_user, b->remote_user) == 0 &&
            strcmp(a->remote_token, b->remote_token) == 0 &&
            strcmp(a->remote_ca, b->remote_ca) == 0 &&
            strcmp(a->remote_cert, b->remote_cert) == 0 &&
            strcmp(a->remote_key, b->remote_key) == 0);
}

/* Starts and stops workers to match the view f->view (old: the one before,
 * NULL when unchanged). */
static void reconcile(struct fed *f, const struct fed_view *old)
{
    struct fed_view *v = f->view;
    /* stop first, all at once: their requests end together */
    struct fed_worker **pw = &f->workers, *gone = NULL;
    while (*pw) {
        struct fed_worker *w = *pw;
        if (!has_url(v, w->peer.name) ||
            (old && !same_link(find(old, w->peer.name), find(v, w->peer.name)))) {
            *pw = w->next;
            worker_signal_stop(w);
            w->next = gone;
            gone = w;
        } else {
            pw = &w->next;
        }
    }
    while (gone) {
        struct fed_worker *w = gone;
        gone = w->next;
        worker_join(f, w);
    }
    if (f->restart_at && clock_wall_us() < f->restart_at)
        return;
    f->restart_at = 0;
    for (size_t i = 0; i < v->np && !atomic_load(&f->stop); i++) {
        if (!v->ps[i].url[0])
            continue;
        struct fed_worker *w = f->workers;
        while (w && strcmp(w->peer.name, v->ps[i].name) != 0)
            w = w->next;
        if (w)
            continue;
        if (!(w = worker_start(f, v->ps[i].name, v))) {
            f->restart_at = clock_wall_us() + FED_RESTART_US;
            break;
        }
        w->next = f->workers;
        f->workers = w;
    }
    size_t n = 0;
    for (struct fed_worker *w = f->workers; w; w = w->next)
        n++;
    metrics_set(f->env->metrics, "alidade_fed_workers", NULL, NULL, (double)n);
}

static void *manager_run(void *arg)
{
    struct fed *f = arg;
    int64_t seen = -1;
    while (!atomic_load(&f->stop)) {
        int64_t last = 0;
        if (store_last_added(f->st, &last) != ALD_E_OK) {
            nlog_kv(f->env->log, NLOG_ERROR, "fed", "store", "error", store_errmsg(f->st), NULL);
            nap(f, 1000);
            continue;
        }
        bool same;
        struct fed_view *v = read_view(f, &same);
        if (!v && !same) {
            nap(f, 1000);
            continue;
        }
        bool kick = last != seen;
        seen = last;
        struct fed_view *old = NULL;
        if (v) {
            old = f->view;
            f->view = v;
            for (struct fed_worker *w = f->workers; w; w = w->next)
                worker_set_view(w, v);
            kick = true;
        }
        /* also when nothing changed: a worker that could not start is
         * tried again after FED_RESTART_US */
        reconcile(f, old);
        view_release(old);
        if (kick)
            for (struct fed_worker *w = f->workers; w; w = w->next)
                worker_kick(w);
        nap(f, FED_POLL_MS);
    }
    for (struct fed_worker *w = f->workers; w; w = w->next)
        worker_signal_stop(w);
    while (f->workers) {
        struct fed_worker *w = f->workers;
        f->workers = w->next;
        worker_join(f, w);
    }
    return NULL;
}

ald_err fed_start(const struct node_env *env, fed **out, char *err, size_t errlen)
{
    *out = NULL;
    struct fed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return ALD_E_NOMEM;
    }
    f->env = env;
    atomic_init(&f->stop, false);
    char serr[256];
    f->st = store_open(env->o->data, serr, sizeof serr);
    if (!f->st) {
        snprintf(err, errlen, "%s", serr);
        free(f);
        return ALD_E_STORE;
    }
    /* before any worker thread makes a client */
    tc_global_init();
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    describe_metrics(env->metrics);
    if (pthread_create(&f->thread, NULL, manager_run, f) != 0) {
        snprintf(err, errlen, "cannot start the federation thread");
        fed_stop(f);
        return ALD_E_NOMEM;
    }
    f->running = true;
    *out = f;
    return ALD_E_OK;
}

void fed_stop(fed *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->mu);
    atomic_store(&f->stop, true);
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    /* the manager stops and joins its workers before it returns */
    if (f->running)
        pthread_join(f->thread, NULL);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    view_release(f->view);
    store_close(f->st);
    free(f);
}
