/* conn.c -- reading requests, writing responses, closing (see conn.h).
 *
 * Input goes into a fixed buffer: request heads are limited to RS_MAX_HEAD bytes, and bodies are
 * counted off as they stream through, never stored. Responses are queued in a growing output
 * buffer and written as far as the socket takes them. */
#include "conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"

#define RS_MAX_HEAD 8192
#define RS_INBUF (2 * RS_MAX_HEAD) /* a partial head never fills it, so a read always has room */
/* Backpressure: past this much unsent output a connection is not read until its client drains
 * some (as Redis's client output buffer limit and muduo's high-water mark do), so a client that
 * pipelines requests and never reads the answers cannot grow the server's memory without bound. */
#define RS_OUT_HIGH_WATER (256 * 1024)

struct rsConn {
    rsWatch watch;
    rsWorker *worker;
    rsConn *prev, *next;
    char in[RS_INBUF];
    size_t inLen;
    size_t bodyLeft;      /* body bytes of the current request still to skip */
    int replyPending;     /* the current request is answered once its body is skipped */
    int replyKeepAlive;
    char *out;
    size_t outLen, outSent, outCap;
    int closing;          /* close once the output is written */
    int peerClosed;       /* read() returned 0 */
};

static const char *const okKeepAlive =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
    "Connection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok\n";
static const char *const okClose =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
    "Connection: close\r\n\r\nok\n";
static const char *const badRequest =
    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
    "Connection: close\r\n\r\nbad request\n";
static const char *const headTooLarge =
    "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain\r\n"
    "Content-Length: 22\r\nConnection: close\r\n\r\nrequest head too large\n";

static void handleConnEvent(rsLoop *loop, rsWatch *watch, int mask);

static int edgeFlag(const rsConn *c) {
    return c->worker->opt->edgeTriggered ? RS_EDGE : 0;
}

/* Closes a connection that never got served, keeping accepted == closed + open. */
static void dropConn(rsConn *c, int fd, rsStats *stats) {
    close(fd);
    atomic_fetch_add(&stats->closed, 1);
    free(c);
}

static void startConn(rsLoop *loop, void *arg) {
    rsConn *c = arg;
    rsWorker *w = c->worker;
    rsAssertInLoopThread(loop);
    if (rsAddWatch(loop, &c->watch, RS_READABLE | edgeFlag(c)) < 0) {
        perror("reactor-server: epoll_ctl add connection");
        dropConn(c, c->watch.fd, w->stats);
        return;
    }
    c->next = w->conns;
    if (w->conns) w->conns->prev = c;
    w->conns = c;
    atomic_fetch_add(&w->stats->open[w->index], 1);
}

void connEstablish(rsWorker *worker, int fd) {
    rsConn *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        dropConn(NULL, fd, worker->stats);
        return;
    }
    c->watch.fd = fd;
    c->watch.proc = handleConnEvent;
    c->watch.data = c;
    c->worker = worker;
    if (rsRunInLoop(worker->loop, startConn, c) < 0) dropConn(c, fd, worker->stats);
}

/* Reads and drops what the peer already sent, so close() sends FIN rather than RST and the
 * peer still gets our last response. */
static void discardInput(int fd) {
    char scrap[4096];
    while (read(fd, scrap, sizeof(scrap)) > 0) {}
}

static void closeConn(rsConn *c) {
    rsWorker *w = c->worker;
    rsAssertInLoopThread(w->loop);
    rsDeleteWatch(w->loop, &c->watch);
    if (!c->peerClosed) discardInput(c->watch.fd);
    close(c->watch.fd);
    if (c->prev) c->prev->next = c->next;
    else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    atomic_fetch_sub(&w->stats->open[w->index], 1);
    atomic_fetch_add(&w->stats->closed, 1);
    free(c->out);
    free(c);
}

void connCloseAll(rsWorker *worker) {
    while (worker->conns) closeConn(worker->conns);
}

static int appendBytes(rsConn *c, const char *data, size_t len) {
    if (c->outLen + len > c->outCap) {
        size_t cap = c->outCap ? c->outCap : 1024;
        while (cap < c->outLen + len) cap *= 2;
        char *grown = realloc(c->out, cap);
        if (grown == NULL) return -1;
        c->out = grown;
        c->outCap = cap;
    }
    memcpy(c->out + c->outLen, data, len);
    c->outLen += len;
    return 0;
}

static int appendOutput(rsConn *c, const char *data) {
    return appendBytes(c, data, strlen(data));
}

/* --protocol echo: what was read goes back as it is; each read counts as one request. */
static void echoInput(rsConn *c) {
    atomic_fetch_add(&c->worker->stats->requests, 1);
    if (appendBytes(c, c->in, c->inLen) < 0) c->closing = 1;
    c->inLen = 0;
}

/* Queues a response; out of memory, the connection closes after what is already queued. */
static void reply(rsConn *c, const char *response, int keepAlive) {
    if (appendOutput(c, response) < 0 || !keepAlive) c->closing = 1;
}

static void replyAndClose(rsConn *c, const char *response) {
    reply(c, response, 0);
}

static void replyOk(rsConn *c) {
    atomic_fetch_add(&c->worker->stats->requests, 1);
    reply(c, c->replyKeepAlive ? okKeepAlive : okClose, c->replyKeepAlive);
    c->replyPending = 0;
}

/* Parses one request head at in+pos. Returns the bytes it takes, or 0 when it is incomplete
 * or rejected (then the connection is closing). */
static size_t startRequest(rsConn *c, size_t pos) {
    httpRequest req;
    size_t available = c->inLen - pos;
    int n = httpParseRequest(c->in + pos, available, &req);
    if (n == -2) {
        if (available > RS_MAX_HEAD) replyAndClose(c, headTooLarge);
        return 0;
    }
    if (n > RS_MAX_HEAD) {
        replyAndClose(c, headTooLarge);
        return 0;
    }
    size_t bodyLen;
    /* Chunked bodies are not supported: refusing is safer than misreading the stream. */
    if (n < 0 || httpGetContentLength(&req, &bodyLen) < 0 ||
        httpHasHeader(&req, "Transfer-Encoding")) {
        replyAndClose(c, badRequest);
        return 0;
    }
    c->bodyLeft = bodyLen;
    c->replyPending = 1;
    c->replyKeepAlive = httpWantsKeepAlive(&req);
    return (size_t)n;
}

/* Answers every complete request in the input buffer, in order, and keeps the rest. */
static void processInput(rsConn *c) {
    size_t pos = 0;
    while (!c->closing) {
        if (c->bodyLeft > 0) {
            size_t skip = c->inLen - pos < c->bodyLeft ? c->inLen - pos : c->bodyLeft;
            pos += skip;
            c->bodyLeft -= skip;
            if (c->bodyLeft > 0) break;
        }
        if (c->replyPending) replyOk(c);
        if (c->closing || pos == c->inLen) break;
        size_t used = startRequest(c, pos);
        if (used == 0) break;
        pos += used;
    }
    memmove(c->in, c->in + pos, c->inLen - pos);
    c->inLen -= pos;
}

static int outputFull(const rsConn *c) {
    return c->outLen - c->outSent > RS_OUT_HIGH_WATER;
}

/* One read() per call in --read once mode, else until EAGAIN or the output is full (then
 * *paused is set). Returns -1 on a socket error. */
static int handleRead(rsConn *c, int *paused) {
    int drain = c->worker->opt->readDrain;
    do {
        if (outputFull(c)) {
            *paused = 1;
            break;
        }
        ssize_t n = read(c->watch.fd, c->in + c->inLen, RS_INBUF - c->inLen);
        if (n > 0) {
            c->inLen += (size_t)n;
            if (c->worker->opt->echo) echoInput(c);
            else processInput(c);
        } else if (n == 0) {
            c->peerClosed = 1;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            return -1;
        }
    } while (drain && !c->closing && !c->peerClosed);
    return 0;
}

/* Writes queued output until done or EAGAIN, watching for writability only while needed.
 * Returns -1 on a socket error. */
static int handleWrite(rsConn *c) {
    while (c->outSent < c->outLen) {
        ssize_t n = write(c->watch.fd, c->out + c->outSent, c->outLen - c->outSent);
        if (n > 0) {
            c->outSent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else if (n < 0 && errno != EINTR) {
            return -1;
        }
    }
    if (c->outSent == c->outLen) c->outSent = c->outLen = 0;
    /* A closing connection stops reading, so level-triggered input cannot wake us in a spin; so
     * does one whose output is full, until it drains (re-arming EPOLLIN then reports what waits). */
    int reading = !c->closing && !outputFull(c);
    int mask = (reading ? RS_READABLE : 0) | (c->outLen > 0 ? RS_WRITABLE : 0) | edgeFlag(c);
    if (mask != c->watch.mask && rsModifyWatch(c->worker->loop, &c->watch, mask) < 0) return -1;
    return 0;
}

static void handleConnEvent(rsLoop *loop, rsWatch *watch, int mask) {
    rsConn *c = watch->data;
    rsAssertInLoopThread(loop);
    for (;;) {
        int paused = 0;
        if ((mask & RS_READABLE) && !c->closing && handleRead(c, &paused) < 0) {
            closeConn(c);
            return;
        }
        if (handleWrite(c) < 0) {
            closeConn(c);
            return;
        }
        /* Reading stopped at the high-water mark and the socket then took the output: read on
         * now, since an edge-triggered socket does not report input it reported before. */
        if (!paused || outputFull(c) || c->closing) break;
    }
    if (c->peerClosed || (c->closing && c->outLen == 0)) closeConn(c);
}
