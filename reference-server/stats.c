/* stats.c -- see stats.h. */
#include "stats.h"

static long elapsedMs(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000L + (now.tv_nsec - start->tv_nsec) / 1000000L;
}

void statsInit(rsStats *stats, int loops) {
    atomic_init(&stats->accepted, 0);
    atomic_init(&stats->closed, 0);
    atomic_init(&stats->requests, 0);
    atomic_init(&stats->listenWakeups, 0);
    atomic_init(&stats->acceptEagain, 0);
    atomic_init(&stats->rejected, 0);
    for (int i = 0; i <= RS_MAX_THREADS; i++) atomic_init(&stats->open[i], 0);
    stats->loops = loops;
    clock_gettime(CLOCK_MONOTONIC, &stats->start);
}

void statsWriteLine(FILE *out, rsStats *stats, int final) {
    fprintf(out,
            "{\"event\":\"stats\",\"final\":%s,\"uptime_ms\":%ld,\"accepted\":%lu,\"closed\":%lu,"
            "\"requests\":%lu,\"listen_wakeups\":%lu,\"accept_eagain\":%lu,\"rejected\":%lu,"
            "\"open\":[",
            final ? "true" : "false", elapsedMs(&stats->start), atomic_load(&stats->accepted),
            atomic_load(&stats->closed), atomic_load(&stats->requests),
            atomic_load(&stats->listenWakeups), atomic_load(&stats->acceptEagain),
            atomic_load(&stats->rejected));
    for (int i = 0; i < stats->loops; i++) {
        fprintf(out, "%s%ld", i ? "," : "", atomic_load(&stats->open[i]));
    }
    fputs("]}\n", out);
    fflush(out);
}
