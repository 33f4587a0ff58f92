/*
 * ingest_int.h - what the files of live ingest share (node.h: ingest_start,
 * ingest_stop): the sources and their readers, the pending batch, the
 * committed feed positions. One mutex (ingest.mu) guards the maritime core
 * (tracker and detectors), the cyber scanners' pending sightings, the
 * pending objects and the positions, so that the committer takes a batch
 * and the positions it covers in one consistent snapshot (docs/node.md).
 *
 *   ingest.c         SPEC parsing, start/stop, the committer thread, metrics
 *   ingest_ais.c     maritime core: per-source NMEA decoders, the tracker,
 *                    every detector, events as STIX and picture news
 *   ingest_cyber.c   followed EVE/Zeek logs against the store's indicators,
 *                    the background recompiler, sightings merged per batch
 *   follow.c         files and directories followed as they grow (tail -F)
 *   netsrc.c         TCP client with backoff, UDP listener
 */
#ifndef ALD_SRC_INGEST_INT_H
#define ALD_SRC_INGEST_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alidade/ais.h"
#include "alidade/detect.h"
#include "alidade/geo.h"
#include "alidade/match.h"
#include "alidade/sighting.h"
#include "alidade/store.h"
#include "alidade/track.h"
#include "import.h"
#include "node.h"
#include "record_stix.h"

enum src_kind { SRC_AIS_TCP, SRC_AIS_UDP, SRC_AIS_FILE, SRC_EVE_FILE, SRC_ZEEK_FILE };

#define INGEST_LABEL_MAX 64
#define INGEST_PATH_MAX 4096
#define INGEST_KEY_MAX (INGEST_PATH_MAX + 128)
#define INGEST_MAX_FILES 256         /* followed files per directory source */

/* The position of one followed file, as committed with the objects read up
 * to it: store_state "ingest/<label>[/<name>]" = "<inode>:<offset>", and
 * where a restart re-reads from to rebuild the detectors' state
 * ("...#warm"). Guarded by ingest.mu. */
struct fpos {
    char key[INGEST_KEY_MAX];
    uint64_t ino;
    uint64_t off;                    /* safe offset: everything before is in the batch */
    uint64_t warm_ino, warm_off;     /* restart re-reads from here (maritime) */
    bool dirty;                      /* changed since the last commit */
    bool used;
    /* (data time, offset) checkpoints, one per hour of data, from which
     * warm_* is chosen: the newest at least INGEST_WARM_MS older */
    int64_t ck_t[64];
    uint64_t ck_off[64];
    int nck;
    /* maritime: a multipart message begun and not complete (its first
     * fragment's offset is then the safe offset) */
    bool frag_pending;
    uint64_t frag_start;
    unsigned frag_lines;
};

struct ingest;

/* Per cyber source (ingest_cyber.c). */
struct cyber_src;

struct source {
    struct ingest *in;
    enum src_kind kind;
    char label[INGEST_LABEL_MAX];
    char spec[512];
    char host[256], port[16];        /* tcp, udp */
    char path[INGEST_PATH_MAX];      /* file kinds */
    pthread_t th;
    bool started;
    /* maritime: this source's decoder (multipart reassembly per source) */
    ais_decoder *dec;
    int64_t arrival_ms;              /* wall clock of the line being fed */
    int64_t data_ms;                 /* newest message time seen */
    /* suppression of events while re-reading to rebuild state (restart) */
    uint64_t warm_until;             /* offset of the committed position */
    bool warming;
    /* cyber */
    struct cyber_src *cy;
    /* counters since the last commit (ingest.mu), flushed into metrics */
    uint64_t d_lines, d_msgs, d_bad;
    uint64_t d_err[ALD_E__COUNT];
    bool connected;                  /* network sources (gauge) */
    int fd;                          /* UDP: the bound socket (udp_prepare), else -1 */
    bool busy;                       /* followed files: not at the end of every file (mu) */
};

/* The pending objects of the next batch (malloc'd JSON texts). */
struct objlist {
    char **v;
    size_t *len;
    size_t n, cap;
};

/* The maritime core (ingest_ais.c). */
struct mar;

struct ingest {
    const struct node_env *env;
    nlog *log;
    metrics *m;
    picture *pic;
    struct source *src;
    size_t nsrc;
    atomic_bool stop;
    atomic_bool readers_done;        /* every reader joined: the last batch may go */
    pthread_mutex_t mu;
    pthread_cond_t commit_cv;        /* readers ask for a commit; the committer says done */
    pthread_cond_t done_cv;
    uint64_t uncommitted_lines;      /* lines read since the last commit (mu) */
    uint64_t commits;                /* batches committed (mu) */
    int64_t oldest_pending_us;       /* when the oldest uncommitted line was read (mu) */
    struct objlist pending;          /* mu */
    struct fpos *pos;                /* INGEST_MAX_POS (mu) */
    size_t npos;
    int warming;                     /* sources re-reading to rebuild state (mu) */
    int64_t last_line_us;            /* wall clock of the newest maritime line (mu) */
    bool flushed;                    /* trk_finish done since the last line (mu) */
    int waiting;                     /* readers waiting for a commit (mu) */
    /* node identity: name, id (o->identity when set) and the id the
     * library derives from the name (replaced by the former in texts) */
    char ident_name[256];
    char ident_id[64], ident_lib[64];
    enum stix_tlp tlp;               /* marking of what live ingest makes */
    char collection[STORE_UUID_TEXT];
    struct mar *mar;                 /* NULL: no maritime source */
    struct cyber *cyber;             /* NULL: no cyber source */
    pthread_t committer;
    bool committer_started;
    store *st;                       /* the committer's connection */
};

#define INGEST_MAX_POS 1024
#define INGEST_BATCH_LINES 20000     /* a reader waits for a commit past this */
#define INGEST_BATCH_MS 500          /* the committer's period */
#define INGEST_WARM_MS (48LL * 3600 * 1000)  /* data time re-read on restart */


/* Adds one object text (copied) to the pending batch; mu held. */
bool ingest_pending_add(struct ingest *in, const char *json, size_t len);
/* The position record for key (created when missing); mu held. NULL when
 * there are INGEST_MAX_POS already. */
struct fpos *ingest_pos(struct ingest *in, const char *key);
/* Counts one more line read, asks for a commit and waits (outside mu) when
 * the batch is full; wait=false for sockets (a waiting UDP reader drops
 * datagrams). Called without mu. */
void ingest_lines_read(struct ingest *in, uint64_t n, bool wait);
/* Replaces the library-derived node id by the configured one in a text. */
void ingest_fix_identity(const struct ingest *in, char *text, size_t len);
/* Sleeps up to ms, returning early (true) when the node stops. */
bool ingest_sleep(struct ingest *in, int ms);

/* ---- maritime core (ingest_ais.c) ---- */
/* Loads zones, shore and anchorages and makes the tracker and detectors;
 * false with the reason in err. Queues the STIX preamble. */
bool mar_new(struct ingest *in, char *err, size_t errlen);
void mar_free(struct ingest *in);
/* The source's decoder (per source). */
bool mar_source_init(struct source *s);
/* Feeds whole lines (buf, len: lines ending with '\n'; the last one may
 * lack it); `off` is the file offset of buf[0] (0 for sockets) and
 * fpos the position to advance (NULL for sockets). Takes mu. */
void mar_feed(struct source *s, const char *buf, size_t len, uint64_t off, struct fpos *fp);
/* The source ended a stream (connection closed, file rotated). mu held. */
void mar_source_reset(struct source *s);
/* Idle for a while: flush what the tracker holds back for reordering so
 * events waiting on it come out (mu held). */
void mar_idle_flush(struct ingest *in);
/* The detectors' live clock: at most once a second of wall_us, det_tick at
 * the feed clock (feed_clock.h), vessels of which the tracker holds a newer
 * fix back not judged (mu held; not while a source re-reads for its
 * warm-up). */
void mar_tick(struct ingest *in, int64_t wall_us);
/* End of everything: open events that qualify are emitted (mu held). */
void mar_finish(struct ingest *in);
/* The states of the vessels changed since the last take (vessel_state.h),
 * at most once every few seconds of wall_us, or now when `all` (the stop):
 * malloc'd into *out, their count returned (mu held). */
struct vessel_state;
size_t mar_take_states(struct ingest *in, int64_t wall_us, bool all, struct vessel_state **out,
                       int64_t *clock_ms);
/* store_state key of the feed clock saved with the vessel states */
#define INGEST_CLOCK_KEY "ingest#feed_clock"
/* Metrics deltas since the last call (mu held). */
void mar_flush_metrics(struct ingest *in);

/* ---- cyber (ingest_cyber.c) ---- */
struct cyber;
bool cyber_new(struct ingest *in, char *err, size_t errlen);
void cyber_free(struct ingest *in);
bool cyber_source_init(struct source *s);
void cyber_source_free(struct source *s);
/* Scans whole lines of a followed log (header lines of Zeek kept for
 * scanners made later). Takes mu. */
void cyber_feed(struct source *s, void **stream, const char *buf, size_t len,
                uint64_t end_off, struct fpos *fp);
/* The per-file state (*stream: scanner, Zeek header lines) of a followed
 * log: forgotten when a new file starts (rotation, truncation), freed. */
void cyber_stream_reset(struct source *s, void **stream);
void cyber_stream_close(struct source *s, void *stream);
/* The header lines of a Zeek TSV file resumed past them (read by follow.c
 * from the file's start). */
void cyber_header(struct source *s, void **stream, const char *buf, size_t len);
/* In the committer, outside mu: the sightings and observed-data the batch
 * holds, merged with their stored versions, put into the store (inside the
 * committer's transaction). `taken` is what cyber_take returned. */
struct cyber_batch;
struct cyber_batch *cyber_take(struct ingest *in);         /* mu held */
ald_err cyber_store(struct ingest *in, struct cyber_batch *b, store *st,
                    struct import_run *imp);
void cyber_batch_free(struct cyber_batch *b);
void cyber_flush_metrics(struct ingest *in);               /* mu held */

/* ---- readers ---- */
void *follow_thread(void *arg);       /* ais+file, eve+file, zeek+file */
void *tcp_thread(void *arg);          /* ais+tcp */
void *udp_thread(void *arg);          /* ais+udp */
/* Binds/validates what can fail early (UDP bind), false with err. */
bool udp_prepare(struct source *s, char *err, size_t errlen);

#endif
