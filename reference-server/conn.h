/* conn.h -- HTTP connections served by one loop each. */
#ifndef RS_CONN_H
#define RS_CONN_H

#include "loop.h"
#include "options.h"
#include "stats.h"

typedef struct rsConn rsConn;

/* One loop and the connections it owns. Only the loop's thread touches conns. */
typedef struct rsWorker {
    rsLoop *loop;
    int index;  /* 0 = main loop; its slot in stats->open */
    const rsOptions *opt;
    rsStats *stats;
    rsConn *conns; /* intrusive list of open connections */
} rsWorker;

/* Hands a freshly accepted non-blocking fd to the worker; from any thread. The fd is closed
 * when it cannot be handed over. */
void connEstablish(rsWorker *worker, int fd);

/* Closes every connection of the worker. Its loop thread only, after the loop has stopped. */
void connCloseAll(rsWorker *worker);

#endif
