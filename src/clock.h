/*
 * clock.h - the wall clock as the store counts time: microseconds since
 * 1970 (TAXII date_added precision). One definition for every command and
 * every part of the node (audit rows, cursors, sessions, batches).
 */
#ifndef ALD_SRC_CLOCK_H
#define ALD_SRC_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
