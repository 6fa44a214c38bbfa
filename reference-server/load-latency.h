/* load-latency.h -- rd-load's latency histogram: the same buckets and percentiles as
 * src/load/latency-histogram.ts (exact below 1024 us, then 512 buckets per power of two), so
 * both engines summarize alike. Fixed size; memory does not grow with the request count. */
#ifndef RS_LOAD_LATENCY_H
#define RS_LOAD_LATENCY_H

#include <stdint.h>

#define LATENCY_LINEAR 1024
#define LATENCY_HALF (LATENCY_LINEAR / 2)
#define LATENCY_MAX_SHIFT 22
#define LATENCY_BUCKETS (LATENCY_LINEAR + LATENCY_MAX_SHIFT * LATENCY_HALF)

typedef struct latencyHistogram {
    uint32_t counts[LATENCY_BUCKETS];
    uint64_t count;
    uint64_t sumUs;
    uint64_t maxUs;
} latencyHistogram;

/* Records one latency of us microseconds (already rounded). */
void latencyRecord(latencyHistogram *h, uint64_t us);

/* The value in us (an upper bucket bound, at most the max) at percent. */
uint64_t latencyPercentileUs(const latencyHistogram *h, unsigned percent);

/* The mean in us, rounded half up. */
uint64_t latencyMeanUs(const latencyHistogram *h);

#endif
