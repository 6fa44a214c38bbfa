/* load-latency.c -- see load-latency.h. */
#include "load-latency.h"

static uint32_t bucketOf(uint64_t us) {
    if (us < LATENCY_LINEAR) return (uint32_t)us;
    if (us > 0xffffffffULL) return LATENCY_BUCKETS - 1;
    int shift = 31 - __builtin_clz((uint32_t)us) - 9;
    if (shift > LATENCY_MAX_SHIFT) shift = LATENCY_MAX_SHIFT;
    uint64_t bucket = LATENCY_LINEAR + (uint64_t)(shift - 1) * LATENCY_HALF + ((us >> shift) - LATENCY_HALF);
    return bucket > LATENCY_BUCKETS - 1 ? LATENCY_BUCKETS - 1 : (uint32_t)bucket;
}

/* The largest value that lands in a bucket: percentiles never understate latency. */
static uint64_t upperBoundOf(uint32_t bucket) {
    if (bucket < LATENCY_LINEAR) return bucket;
    uint32_t shift = (bucket - LATENCY_LINEAR) / LATENCY_HALF + 1;
    uint64_t mantissa = (bucket - LATENCY_LINEAR) % LATENCY_HALF + LATENCY_HALF;
    return ((mantissa + 1) << shift) - 1;
}

void latencyRecord(latencyHistogram *h, uint64_t us) {
    h->counts[bucketOf(us)]++;
    h->count++;
    h->sumUs += us;
    if (us > h->maxUs) h->maxUs = us;
}

uint64_t latencyMeanUs(const latencyHistogram *h) {
    return h->count ? (2 * h->sumUs + h->count) / (2 * h->count) : 0;
}

uint64_t latencyPercentileUs(const latencyHistogram *h, unsigned percent) {
    uint64_t rank = (percent * h->count + 99) / 100; /* ceil(percent / 100 * count) */
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    for (uint32_t bucket = 0; bucket < LATENCY_BUCKETS; bucket++) {
        seen += h->counts[bucket];
        if (seen >= rank) {
            uint64_t bound = upperBoundOf(bucket);
            return bound < h->maxUs ? bound : h->maxUs;
        }
    }
    return h->maxUs;
}
