/* acceptor.c -- see acceptor.h. */
#include "acceptor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int acceptorListen(rsAcceptor *a, const rsOptions *opt, rsStats *stats, char *err, size_t errLen) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt->port)};
    socklen_t addrLen = sizeof(addr);
    int one = 1;
    const char *step = "socket";

    memset(a, 0, sizeof(*a));
    a->opt = opt;
    a->stats = stats;
    a->idleFd = -1;
    inet_pton(AF_INET, opt->host, &addr.sin_addr); /* validated by main */
    if ((a->watch.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) goto err;
    step = "setsockopt";
    if (setsockopt(a->watch.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) goto err;
    step = "bind";
    if (bind(a->watch.fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) goto err;
    step = "listen";
    if (listen(a->watch.fd, opt->backlog) < 0) goto err;
    step = "getsockname";
    if (getsockname(a->watch.fd, (struct sockaddr *)&addr, &addrLen) < 0) goto err;
    a->port = ntohs(addr.sin_port);
    step = "open /dev/null";
    if ((a->idleFd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) goto err;
    return 0;

err:
    snprintf(err, errLen, "%s %s:%d: %s", step, opt->host, opt->port, strerror(errno));
    if (a->watch.fd >= 0) close(a->watch.fd);
    return -1;
}

/* At the fd limit the pending connection cannot be accepted, and in level-triggered mode the
 * listener would stay readable forever: give up the spare fd, accept, close, take it back.
 * Returns 1 when a connection was shed. accept() reports EMFILE before it looks at the queue,
 * so only this accept tells whether the queue is empty. */
static int shedConnection(rsAcceptor *a) {
    close(a->idleFd);
    int fd = accept(a->watch.fd, NULL, NULL);
    if (fd >= 0) {
        close(fd);
        atomic_fetch_add(&a->stats->rejected, 1);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        atomic_fetch_add(&a->stats->acceptEagain, 1);
    }
    a->idleFd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    return fd >= 0 && a->idleFd >= 0;
}

/* Returns 1 to keep accepting, 0 when the queue is empty or an error ends this wakeup. */
static int acceptOne(rsAcceptor *a) {
    int fd = accept4(a->watch.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        atomic_fetch_add(&a->stats->accepted, 1);
        a->onNewConn(a->data, fd);
        if (a->opt->acceptDelayUs > 0) usleep((useconds_t)a->opt->acceptDelayUs);
        return 1;
    }
    switch (errno) {
    case EAGAIN:
#if EAGAIN != EWOULDBLOCK
    case EWOULDBLOCK:
#endif
        atomic_fetch_add(&a->stats->acceptEagain, 1);
        return 0;
    case EINTR:
    case ECONNABORTED:
        return 1;
    case EMFILE:
    case ENFILE:
        return a->idleFd >= 0 && shedConnection(a);
    default:
        perror("reactor-server: accept4");
        return 0;
    }
}

/* --accept once takes one connection per wakeup, as muduo does: correct only when the listener
 * is level-triggered, which is the bug this server reproduces on purpose. */
static void handleAccept(rsLoop *loop, rsWatch *watch, int mask) {
    rsAcceptor *a = watch->data;
    (void)mask;
    rsAssertInLoopThread(loop);
    atomic_fetch_add(&a->stats->listenWakeups, 1);
    while (acceptOne(a) && a->opt->acceptDrain) {}
}

int acceptorStart(rsAcceptor *a, rsLoop *loop, rsNewConnProc *onNewConn, void *data) {
    a->onNewConn = onNewConn;
    a->data = data;
    a->watch.proc = handleAccept;
    a->watch.data = a;
    return rsAddWatch(loop, &a->watch, RS_READABLE | (a->opt->edgeTriggered ? RS_EDGE : 0));
}

void acceptorClose(rsAcceptor *a, rsLoop *loop) {
    rsDeleteWatch(loop, &a->watch);
    close(a->watch.fd);
    if (a->idleFd >= 0) close(a->idleFd);
}
