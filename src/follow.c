/*
 * follow.c - files followed as they grow, like `tail -F`, for live ingest
 * (ais+file:, eve+file:, zeek+file:; ingest_int.h). PATH is a file, or a
 * directory whose regular files (not starting with '.') are all followed,
 * new ones picked up within a second. A file is known by its inode: when
 * PATH names a new inode (rotation), the old file is read to its end first;
 * a file that shrinks (truncation) is read again from its start. Only whole
 * lines are handed on; a partial last line waits for its newline.
 *
 * Positions: every file's safe offset is committed with the batch that
 * holds what was read before it (store_state "ingest/<label>" for a file,
 * "ingest/<label>/<inode>" for a directory's files, value "<inode>:<offset>").
 * On start a file whose inode matches its committed position resumes there;
 * an NMEA file first re-reads from its "#warm" position (up to 48 h of data
 * before) with events suppressed, so that the tracker and detectors have
 * the state they had (docs/node.md).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest_int.h"
#include "input.h"

#define BUF_CAP ((size_t)1 << 20)    /* a line longer than this is dropped */
#define POLL_MS 200

struct ffile {
    char path[INGEST_PATH_MAX];
    int fd;
    uint64_t ino;
    uint64_t off;                    /* file offset of buf[0] (the carried partial line) */
    size_t clen;                     /* carried bytes */
    bool skipping;                   /* inside a line longer than BUF_CAP */
    bool seen;                       /* in the last directory listing */
    struct fpos *fp;
    void *cy;                        /* cyber per-file state */
};

struct follower {
    struct source *s;
    bool dir, ais;
    store *st;                       /* committed positions, read on open */
    char *buf;                       /* BUF_CAP + 1 */
    struct ffile *files;
    size_t nfiles;
    bool waiting_logged;
};

static bool parse_pos(const char *v, uint64_t *ino, uint64_t *off)
{
    return v && sscanf(v, "%" SCNu64 ":%" SCNu64, ino, off) == 2;
}

/* The committed position of key: false when there is none. */
static bool committed(struct follower *fw, const char *key, uint64_t *ino, uint64_t *off)
{
    char *v = NULL;
    bool ok = fw->st && store_state_get(fw->st, key, &v) == ALD_E_OK && parse_pos(v, ino, off);
    free(v);
    return ok;
}

static void key_of(const struct follower *fw, const struct ffile *f, char *key, size_t cap)
{
    if (fw->dir)
        snprintf(key, cap, "ingest/%s/%" PRIu64, fw->s->label, f->ino);
    else
        snprintf(key, cap, "ingest/%s", fw->s->label);
}

/* Opens f->path and decides where to start (committed position, warm-up). */
static bool open_file(struct follower *fw, struct ffile *f, bool fresh_inode)
{
    struct source *s = fw->s;
    struct ingest *in = s->in;
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    f->fd = fd;
    f->ino = (uint64_t)sb.st_ino;
    f->clen = 0;
    f->skipping = false;
    char key[INGEST_KEY_MAX], wkey[INGEST_KEY_MAX + 8], num[32];
    key_of(fw, f, key, sizeof key);
    snprintf(wkey, sizeof wkey, "%s#warm", key);
    uint64_t cino = 0, coff = 0, wino = 0, woff = 0;
    uint64_t start = 0, warm_from = 0;
    bool warm = false;
    if (!fresh_inode && committed(fw, key, &cino, &coff)) {
        if (cino == f->ino && coff <= (uint64_t)sb.st_size) {
            start = coff;
            /* (a directory's files resume where they were, without warm-up:
             * one source, one warm-up at a time) */
            bool can_warm = fw->ais && !fw->dir;
            if (can_warm && committed(fw, wkey, &wino, &woff) && wino == f->ino && woff < coff) {
                warm_from = woff;
                warm = true;
            } else if (can_warm && coff > 0) {
                warm_from = 0;       /* no warm position yet: from the start */
                warm = true;
            }
        } else {
            nlog_kv(in->log, NLOG_WARN, "ingest", "file changed while the node was down: "
                    "reading it from its start", "source", s->label, "path", f->path, NULL);
        }
    }
    uint64_t seek = warm ? warm_from : start;
    if (lseek(fd, (off_t)seek, SEEK_SET) < 0) {
        close(fd);
        f->fd = -1;
        return false;
    }
    f->off = seek;
    if (s->kind == SRC_ZEEK_FILE && seek > 0) {
        /* a Zeek TSV file resumed past its header: the scanner needs it */
        ssize_t n = pread(fd, fw->buf, 65536, 0);
        if (n > 0)
            cyber_header(s, &f->cy, fw->buf, (size_t)n);
    }
    pthread_mutex_lock(&in->mu);
    f->fp = ingest_pos(in, key);
    if (f->fp) {
        f->fp->ino = f->ino;
        f->fp->off = start;
        f->fp->warm_ino = f->ino;
        f->fp->warm_off = warm ? warm_from : start;
        f->fp->nck = 0;
        f->fp->frag_pending = false;
        f->fp->dirty = true;
    }
    if (warm && start > warm_from) {
        s->warming = true;
        s->warm_until = start;
        in->warming++;
    }
    pthread_mutex_unlock(&in->mu);
    snprintf(num, sizeof num, "%" PRIu64, start);
    char wnum[32];
    snprintf(wnum, sizeof wnum, "%" PRIu64, seek);
    nlog_kv(in->log, NLOG_INFO, "ingest", "following file", "source", s->label, "path",
            f->path, "offset", num, "reread_from", wnum, NULL);
    return true;
}

/* Ends the warm-up of a file that did not reach its committed position. */
static void end_warming(struct source *s)
{
    pthread_mutex_lock(&s->in->mu);
    if (s->warming) {
        s->warming = false;
        s->in->warming--;
    }
    pthread_mutex_unlock(&s->in->mu);
}

static void close_file(struct follower *fw, struct ffile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    f->clen = 0;
    end_warming(fw->s);
    if (fw->ais) {
        pthread_mutex_lock(&fw->s->in->mu);
        mar_source_reset(fw->s);
        pthread_mutex_unlock(&fw->s->in->mu);
    } else {
        cyber_stream_reset(fw->s, &f->cy);
    }
}

/* Hands whole lines buf[0..len) (file offset f->off) on. */
static void hand_on(struct follower *fw, struct ffile *f, const char *buf, size_t len)
{
    if (fw->ais)
        mar_feed(fw->s, buf, len, f->off, f->fp);
    else
        cyber_feed(fw->s, &f->cy, buf, len, f->off + len, f->fp);
}

/* Reads what the file has now; returns bytes read (0 at its end). */
static size_t read_some(struct follower *fw, struct ffile *f)
{
    char *buf = fw->buf;
    ssize_t n = read(f->fd, buf + f->clen, BUF_CAP - f->clen);
    if (n <= 0) {
        if (n < 0) {
            pthread_mutex_lock(&fw->s->in->mu);
            fw->s->d_err[ALD_E_IO]++;
            pthread_mutex_unlock(&fw->s->in->mu);
        }
        return 0;
    }
    size_t have = f->clen + (size_t)n;
    size_t start = 0;
    if (f->skipping) {
        char *nl = memchr(buf, '\n', have);
        if (!nl) {
            f->off += have;
            f->clen = 0;
            return (size_t)n;
        }
        start = (size_t)(nl - buf) + 1;
        f->off += start;
        f->skipping = false;
    }
    char *last = have > start ? memrchr(buf + start, '\n', have - start) : NULL;
    if (last) {
        size_t whole = (size_t)(last - buf) + 1 - start;
        hand_on(fw, f, buf + start, whole);
        f->off += whole;
        start += whole;
    }
    f->clen = have - start;
    if (f->clen == BUF_CAP) {        /* one line fills the buffer: drop it */
        pthread_mutex_lock(&fw->s->in->mu);
        fw->s->d_err[ALD_E_NMEA_TOO_LONG]++;
        pthread_mutex_unlock(&fw->s->in->mu);
        f->off += f->clen;
        f->clen = 0;
        f->skipping = true;
    } else if (f->clen && start) {
        memmove(buf, buf + start, f->clen);
    }
    return (size_t)n;
}

/* Reads a file to its current end, then checks truncation. The carried
 * partial line lives at the start of the shared buffer, so each file is
 * read to its end (or its carry dropped) before another is. */
static void set_busy(struct source *s, bool busy)
{
    pthread_mutex_lock(&s->in->mu);
    s->busy = busy;
    pthread_mutex_unlock(&s->in->mu);
}

static void drain(struct follower *fw, struct ffile *f)
{
    while (!atomic_load(&fw->s->in->stop) && read_some(fw, f) > 0)
        ;
    struct stat sb;
    if (f->fd >= 0 && fstat(f->fd, &sb) == 0 && (uint64_t)sb.st_size < f->off + f->clen) {
        nlog_kv(fw->s->in->log, NLOG_WARN, "ingest", "file truncated: reading it again from "
                "its start", "source", fw->s->label, "path", f->path, NULL);
        lseek(f->fd, 0, SEEK_SET);
        f->off = 0;
        f->clen = 0;
        end_warming(fw->s);
        pthread_mutex_lock(&fw->s->in->mu);
        if (f->fp) {
            f->fp->off = 0;
            f->fp->warm_off = 0;
            f->fp->nck = 0;
            f->fp->frag_pending = false;
            f->fp->dirty = true;
        }
        if (fw->ais)
            mar_source_reset(fw->s);
        pthread_mutex_unlock(&fw->s->in->mu);
        if (!fw->ais)
            cyber_stream_reset(fw->s, &f->cy);
    }
}

/* A line left without its newline when its file is closed (rotated away):
 * handed on as the file's last line, as tail -F shows it. */
static void flush_carry(struct follower *fw, struct ffile *f)
{
    if (f->clen && !f->skipping) {
        fw->buf[f->clen] = '\n';
        hand_on(fw, f, fw->buf, f->clen);
        f->off += f->clen;
    }
    f->clen = 0;
}

/* ---- one file ---- */

static void follow_file(struct follower *fw)
{
    struct source *s = fw->s;
    struct ingest *in = s->in;
    struct ffile *f = &fw->files[0];
    snprintf(f->path, sizeof f->path, "%s", s->path);
    f->fd = -1;
    bool first = true;
    while (!atomic_load(&in->stop)) {
        if (f->fd < 0) {
            if (!open_file(fw, f, !first)) {
                if (!fw->waiting_logged)
                    nlog_kv(in->log, NLOG_WARN, "ingest", "waiting for the file to appear",
                            "source", s->label, "path", f->path, "error", strerror(errno),
                            NULL);
                fw->waiting_logged = true;
                ingest_sleep(in, 1000);
                continue;
            }
            first = false;
            fw->waiting_logged = false;
        }
        set_busy(s, true);
        drain(fw, f);
        struct stat sb;
        if (stat(f->path, &sb) != 0 || (uint64_t)sb.st_ino != f->ino) {
            /* rotated: what the old file still had has just been read */
            drain(fw, f);
            flush_carry(fw, f);
            nlog_kv(in->log, NLOG_INFO, "ingest", "file rotated", "source", s->label, "path",
                    f->path, NULL);
            close_file(fw, f);
            continue;
        }
        set_busy(s, false);
        ingest_sleep(in, POLL_MS);
    }
    if (f->fd >= 0)
        close(f->fd);
    cyber_stream_close(fw->s, f->cy);
}

/* ---- a directory ---- */

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct ffile *)a)->path, ((const struct ffile *)b)->path);
}

/* Adds the directory's new files (by inode), marks the ones still there. */
static void list_dir(struct follower *fw)
{
    struct source *s = fw->s;
    DIR *d = opendir(s->path);
    if (!d) {
        if (!fw->waiting_logged)
            nlog_kv(s->in->log, NLOG_WARN, "ingest", "cannot read the directory", "source",
                    s->label, "path", s->path, "error", strerror(errno), NULL);
        fw->waiting_logged = true;
        return;
    }
    fw->waiting_logged = false;
    for (size_t i = 0; i < fw->nfiles; i++)
        fw->files[i].seen = false;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char path[INGEST_PATH_MAX];
        if ((size_t)snprintf(path, sizeof path, "%s/%s", s->path, de->d_name) >= sizeof path)
            continue;
        struct stat sb;
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        bool known = false;
        for (size_t i = 0; i < fw->nfiles; i++)
            if (fw->files[i].ino == (uint64_t)sb.st_ino && fw->files[i].fd >= 0) {
                fw->files[i].seen = true;   /* renamed files keep their place */
                known = true;
            }
        if (known)
            continue;
        if (fw->nfiles == INGEST_MAX_FILES) {
            nlog_kv(s->in->log, NLOG_WARN, "ingest", "too many files in the directory: "
                    "some are not followed", "source", s->label, NULL);
            break;
        }
        struct ffile *f = &fw->files[fw->nfiles];
        *f = (struct ffile){.fd = -1};
        snprintf(f->path, sizeof f->path, "%s", path);
        if (open_file(fw, f, false)) {
            f->seen = true;
            fw->nfiles++;
        }
    }
    closedir(d);
    qsort(fw->files, fw->nfiles, sizeof *fw->files, by_path);
}

static void follow_dir(struct follower *fw)
{
    struct ingest *in = fw->s->in;
    int since_list = 1000;
    while (!atomic_load(&in->stop)) {
        if (since_list >= 1000) {
            list_dir(fw);
            since_list = 0;
        }
        set_busy(fw->s, true);
        for (size_t i = 0; i < fw->nfiles && !atomic_load(&in->stop); i++) {
            struct ffile *f = &fw->files[i];
            drain(fw, f);
            if (!f->seen) {          /* gone from the directory, read to its end */
                flush_carry(fw, f);
                nlog_kv(in->log, NLOG_INFO, "ingest", "file left the directory", "source",
                        fw->s->label, "path", f->path, NULL);
                close_file(fw, f);
                cyber_stream_close(fw->s, f->cy);
                fw->files[i] = fw->files[--fw->nfiles];
                i--;
                continue;
            }
            /* the shared buffer is the next file's: a partial line waits
             * in the file (re-read from its offset) */
            if (f->clen) {
                lseek(f->fd, (off_t)f->off, SEEK_SET);
                f->clen = 0;
            }
        }
        set_busy(fw->s, false);
        ingest_sleep(in, POLL_MS);
        since_list += POLL_MS;
    }
    for (size_t i = 0; i < fw->nfiles; i++) {
        if (fw->files[i].fd >= 0)
            close(fw->files[i].fd);
        cyber_stream_close(fw->s, fw->files[i].cy);
    }
}

void *follow_thread(void *arg)
{
    struct source *s = arg;
    struct follower fw = {.s = s, .ais = s->kind == SRC_AIS_FILE};
    char err[512];
    struct stat sb;
    fw.dir = stat(s->path, &sb) == 0 && S_ISDIR(sb.st_mode);
    fw.buf = malloc(BUF_CAP + 1);
    fw.files = calloc(fw.dir ? INGEST_MAX_FILES : 1, sizeof *fw.files);
    fw.st = store_open(s->in->env->o->data, err, sizeof err);
    if (!fw.buf || !fw.files || !fw.st) {
        nlog_kv(s->in->log, NLOG_ERROR, "ingest", "cannot follow", "source", s->label, "error",
                fw.st ? "out of memory" : err, NULL);
    } else if (fw.dir) {
        follow_dir(&fw);
    } else {
        follow_file(&fw);
    }
    end_warming(s);
    store_close(fw.st);
    free(fw.files);
    free(fw.buf);
    return NULL;
}
