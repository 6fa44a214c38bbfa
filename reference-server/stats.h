/* stats.h -- counters shared by all loops, printed as JSON lines by the main loop. */
#ifndef RS_STATS_H
#define RS_STATS_H

#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "options.h"

typedef struct rsStats {
    atomic_ulong accepted;      /* accept() calls that returned a connection */
    atomic_ulong closed;        /* connections the server closed */
    atomic_ulong requests;      /* complete requests answered with 200 */
    atomic_ulong listenWakeups; /* times the listening socket was reported readable */
    atomic_ulong acceptEagain;  /* accept() calls that found the queue empty */
    atomic_ulong rejected;      /* connections accepted and dropped at the fd limit (EMFILE) */
    atomic_long open[RS_MAX_THREADS + 1]; /* open connections per loop; 0 is the main loop */
    int loops;
    struct timespec start;
} rsStats;

void statsInit(rsStats *stats, int loops);

/* Writes one {"event":"stats",...} line and flushes, so readers see it at once. */
void statsWriteLine(FILE *out, rsStats *stats, int final);

#endif
