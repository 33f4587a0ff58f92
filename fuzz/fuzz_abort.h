/*
 * fuzz_abort.h - FZ_CHECK, the one oracle primitive of every libFuzzer
 * target: a failed check names itself and aborts, so libFuzzer keeps the
 * input as a crash.
 */
#ifndef ALD_FUZZ_ABORT_H
#define ALD_FUZZ_ABORT_H

#include <stdio.h>
#include <stdlib.h>

#define FZ_CHECK(cond, what)                                                 \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what,         \
                    __FILE__, __LINE__);                                     \
            abort();                                                         \
        }                                                                    \
    } while (0)

#endif
