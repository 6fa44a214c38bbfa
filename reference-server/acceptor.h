/* acceptor.h -- the listening socket, owned by the main loop. */
#ifndef RS_ACCEPTOR_H
#define RS_ACCEPTOR_H

#include "loop.h"
#include "options.h"
#include "stats.h"

typedef void rsNewConnProc(void *data, int fd);

typedef struct rsAcceptor {
    rsWatch watch;
    int idleFd;      /* spare fd on /dev/null, given up to shed a connection at EMFILE */
    int port;        /* the bound port, also when --port 0 picked it */
    const rsOptions *opt;
    rsStats *stats;
    rsNewConnProc *onNewConn;
    void *data;
} rsAcceptor;

/* Binds and listens on opt->host:opt->port. Returns 0, or -1 with a one-line reason in err. */
int acceptorListen(rsAcceptor *a, const rsOptions *opt, rsStats *stats, char *err, size_t errLen);

/* Starts accepting in the loop; each connection goes to onNewConn(data, fd). Loop thread. */
int acceptorStart(rsAcceptor *a, rsLoop *loop, rsNewConnProc *onNewConn, void *data);

/* Stops watching and closes the listening socket. Loop thread. */
void acceptorClose(rsAcceptor *a, rsLoop *loop);

#endif
