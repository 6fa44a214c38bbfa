/*
 * rd-load: the native load driver behind `bench --engine native` (src/load/native-engine.ts).
 * One thread, epoll, non-blocking sockets, loopback only. The semantics are those of the Node
 * "ab" engine (src/load/ab-engine.ts), step for step: one connection first, the other c-1 in a
 * burst after its first answer; -n requests in all, at most one outstanding per connection; a
 * request counts as sent when written; a failed connection is never replaced, a clean close
 * after answers is; waves (the c connections close and c new ones connect at once); the next
 * requests of all connections answered in one epoll wakeup are written together afterwards.
 * What it saves over Node is the fixed cost of each read and write.
 *
 * Usage: rd-load --host ADDR --port N --requests N --concurrency C --keep-alive 0|1 --waves W
 *          --wave-pause-ms MS --stall-ms MS --timeout-ms MS --hold-ms MS --request-bytes R
 *          [--expect-bytes E]
 *
 * stdin: R bytes of the request, E bytes of the exact answer (E = 0: answers are HTTP), then a
 * line "go" or "abort". While it runs, a stdin line "abort" (or EOF) ends it as aborted.
 * stdout, one JSON object a line:
 *   {"type":"progress","completed":N,"sent":N}   about every 50 ms
 *   {"type":"stalled","end":"stalled"|"timeout"} on a stall or the timeout, with --hold-ms > 0:
 *       the clients stay connected (and are still served) until a stdin line "go", or for at
 *       most --hold-ms, so the caller reads the server while they are there
 *   {"type":"fatal","code":"ECONNREFUSED"}       the first connection failed
 *   {"type":"result",...}                        last; see printResult
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "load-latency.h"
#include "load-reply.h"

#define READ_BUFFER_BYTES (64 * 1024)
#define MAX_EVENTS 512
#define PROGRESS_INTERVAL_NS 50000000LL

/* One client connection and its record (kept for the whole run: the result lists them all). */
typedef struct conn {
    int id, wave, fd;
    int localPort; /* -1: null */
    int connected, outstanding, retired, closed, closedByServer, watchingOut;
    int64_t connectedAtUs, firstByteAtUs; /* -1: null */
    uint64_t requestsSent, responses, bytesSent, bytesReceived;
    char *error;
    int64_t sentAtNs;
    /* Requests written or waiting to be (a large body may take several writes). */
    uint64_t queuedWrites;
    size_t writeOffset;
    size_t liveIndex; /* in run.live, while live */
    int live;
    replyReader *reader; /* while open */
} conn;

typedef struct connList {
    conn **items;
    size_t count, cap;
} connList;

static struct {
    struct sockaddr_storage addr;
    socklen_t addrLen;
    uint64_t requests;
    int concurrency, keepAlive, waves;
    int64_t stallNs, timeoutNs, holdNs, wavePauseNs;
    unsigned char *request;
    size_t requestLen;
    unsigned char *expected; /* NULL: HTTP answers */
    size_t expectedLen;
} opt;

static struct {
    uint64_t sent, completed, non2xx, errors, errorsBeforeWave;
    int64_t outstanding, connecting;
    int nextId, burstStarted, ended, wave;
    int64_t startNs, lastResponseNs, startEpochMs;
    connList records, live, ready, deferred;
    latencyHistogram latency;
    int64_t *progressAtMs;
    uint64_t *progressCompleted;
    size_t progressCount, progressCap;
    int epfd;
    int halting, holding;
    int wavePending;
    int64_t waveOpenAtNs;
    const char *haltEnd;
    int64_t haltStalledForMs; /* -1: null */
    int64_t tickEveryNs, nextTickNs, deadlineNs, holdUntilNs;
} run;

static unsigned char readBuffer[READ_BUFFER_BYTES];
static int stdinMarker;

static void finish(const char *end, int64_t stalledForMs);

static int64_t nowNs(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Microseconds since the start, rounded: msSince() of connection-record.ts, times 1000. */
static int64_t usSinceStart(void) {
    return (nowNs() - run.startNs + 500) / 1000;
}

static void die(const char *why) {
    fprintf(stderr, "rd-load: %s\n", why);
    exit(2);
}

static void *checkedRealloc(void *p, size_t bytes) {
    void *grown = realloc(p, bytes);
    if (!grown) die("out of memory");
    return grown;
}

static void listPush(connList *list, conn *c) {
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 64;
        list->items = checkedRealloc(list->items, list->cap * sizeof *list->items);
    }
    list->items[list->count++] = c;
}

/* ---- output ---- */

typedef struct text {
    char *bytes;
    size_t len, cap;
} text;

static void textAdd(text *t, const char *bytes, size_t len) {
    if (t->len + len + 1 > t->cap) {
        while (t->len + len + 1 > t->cap) t->cap = t->cap ? t->cap * 2 : 4096;
        t->bytes = checkedRealloc(t->bytes, t->cap);
    }
    memcpy(t->bytes + t->len, bytes, len);
    t->len += len;
}

static void textf(text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void textf(text *t, const char *format, ...) {
    char small[256];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(small, sizeof small, format, args);
    va_end(args);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        textAdd(t, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) die("out of memory");
    va_start(args, format);
    vsnprintf(big, (size_t)n + 1, format, args);
    va_end(args);
    textAdd(t, big, (size_t)n);
    free(big);
}

/* A JSON string (the bytes are UTF-8 already). */
static void textString(text *t, const char *s) {
    textAdd(t, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char escaped[2] = {'\\', (char)*p};
            textAdd(t, escaped, 2);
        } else if (*p < 0x20) {
            textf(t, "\\u%04x", *p);
        } else {
            textAdd(t, (const char *)p, 1);
        }
    }
    textAdd(t, "\"", 1);
}

/* Microseconds as milliseconds with three decimals, or null. */
static void textMs(text *t, int64_t us) {
    if (us < 0) textAdd(t, "null", 4);
    else textf(t, "%lld.%03lld", (long long)(us / 1000), (long long)(us % 1000));
}

static void emit(text *t) {
    textAdd(t, "\n", 1);
    size_t at = 0;
    while (at < t->len) {
        ssize_t n = write(1, t->bytes + at, t->len - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) exit(3); /* nobody reads our output any more */
        at += (size_t)n;
    }
    free(t->bytes);
    t->bytes = NULL;
    t->len = t->cap = 0;
}

static char *errorName(int code) {
    const char *name = strerrorname_np(code);
    char fallback[32];
    if (!name) {
        snprintf(fallback, sizeof fallback, "E%d", code);
        name = fallback;
    }
    char *copy = strdup(name);
    if (!copy) die("out of memory");
    return copy;
}

/* The first error of a connection is the one it reports (Node's record.error ??=). */
static void setError(conn *c, char *error) {
    if (c->error) free(error);
    else c->error = error;
}

/* ---- the run ---- */

static uint64_t claimed(void) {
    return run.sent + run.ready.count;
}

/* Requests that may be claimed by the end of the current wave: the total split evenly
 * (Math.round of requests * wave / waves). */
static uint64_t waveBudget(void) {
    return (2 * opt.requests * (uint64_t)run.wave + (uint64_t)opt.waves) / (2 * (uint64_t)opt.waves);
}

/* Requests are left in this wave that the connections still connecting will not take. */
static int needsConnection(void) {
    return claimed() + (uint64_t)run.connecting < waveBudget();
}

static void liveRemove(conn *c) {
    if (!c->live) return;
    conn *last = run.live.items[--run.live.count];
    run.live.items[c->liveIndex] = last;
    last->liveIndex = c->liveIndex;
    c->live = 0;
}

static void watch(conn *c, int op, uint32_t events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(run.epfd, op, c->fd, &ev) != 0) die("epoll_ctl failed");
}

static void openConnection(void) {
    conn *c = calloc(1, sizeof *c);
    if (!c) die("out of memory");
    c->id = run.nextId++;
    c->wave = run.wave;
    c->fd = -1;
    c->localPort = -1;
    c->connectedAtUs = c->firstByteAtUs = -1;
    c->reader = malloc(sizeof *c->reader);
    if (!c->reader) die("out of memory");
    if (opt.expected) replyInitExact(c->reader, opt.expected, opt.expectedLen, opt.keepAlive);
    else replyInitHttp(c->reader);
    run.connecting++;
    c->live = 1;
    c->liveIndex = run.live.count;
    listPush(&run.live, c);
    listPush(&run.records, c);

    c->fd = socket(opt.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        setError(c, errorName(errno));
        listPush(&run.deferred, c); /* reported after this turn, as Node reports a failed connect */
        return;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&opt.addr, opt.addrLen) != 0 && errno != EINPROGRESS) {
        setError(c, errorName(errno));
        listPush(&run.deferred, c);
        return;
    }
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
}

static void handleClose(conn *c);

/* Closes the socket (whoever asked) and tells the run. */
static void closeConnection(conn *c) {
    if (c->closed) return;
    c->closed = 1;
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    if (c->reader) {
        replyFree(c->reader);
        free(c->reader);
        c->reader = NULL;
    }
    handleClose(c);
}

/* Closed by the run on purpose (not keep-alive, the wave is over, or the run ended). */
static void retire(conn *c) {
    c->retired = 1;
    closeConnection(c);
}

static void closeAll(void) {
    while (run.live.count > 0) {
        conn *c = run.live.items[run.live.count - 1];
        liveRemove(c);
        retire(c);
    }
}

static void queueSend(conn *c) {
    listPush(&run.ready, c);
}

static void startBurst(void) {
    run.burstStarted = 1;
    for (int i = 1; i < opt.concurrency && needsConnection(); i++) openConnection();
}

static void openWave(void) {
    run.wavePending = 0;
    for (int i = 0; i < opt.concurrency && needsConnection(); i++) openConnection();
}

/* The wave is served: close its connections, and after --wave-pause-ms open the next wave's
 * all at once, a new burst (see WAVE_PAUSE_MS in src/load/waves.ts for why the pause). */
static void nextWave(void) {
    run.wave++;
    run.errorsBeforeWave = run.errors;
    closeAll();
    if (opt.wavePauseNs <= 0) {
        openWave();
        return;
    }
    run.wavePending = 1;
    run.waveOpenAtNs = nowNs() + opt.wavePauseNs;
}

static void finishIfIdle(void) {
    if (run.wavePending) return;
    if (run.outstanding > 0 || run.connecting > 0 || run.ready.count > 0) return;
    if (run.ended) return;
    /* A wave whose requests were all sent goes on, even when the server closed every connection
     * after its answer; not after connection errors (a failed connection is not replaced). */
    int cleanWave = run.live.count > 0 || run.errors == run.errorsBeforeWave;
    if (run.wave < opt.waves && run.sent == waveBudget() && cleanWave) nextWave();
    else if (run.sent == opt.requests || run.live.count == 0) finish("completed", -1);
}

static void fail(const char *code) {
    run.ended = 1;
    closeAll();
    text t = {0};
    textAdd(&t, "{\"type\":\"fatal\",\"code\":", 23);
    textString(&t, code);
    textAdd(&t, "}", 1);
    emit(&t);
    exit(0);
}

static void handleClose(conn *c) {
    liveRemove(c);
    if (!c->connected) run.connecting--;
    if (c->outstanding) run.outstanding--;
    if (c->error) run.errors++;
    if (run.ended || c->retired) return;
    if (c->id == 0 && !c->connected) fail(c->error ? c->error : "connection closed");
    if (!run.burstStarted) startBurst();
    /* A clean close after answers is the server ending keep-alive: go on with a new connection. */
    int cleanClose = c->error == NULL && c->responses > 0;
    if (cleanClose && needsConnection()) openConnection();
    finishIfIdle();
}

/* The answer said the connection ends: close it and go on with a new one. */
static void replace(conn *c) {
    liveRemove(c);
    retire(c);
    if (needsConnection()) openConnection();
    else finishIfIdle();
}

static void handleConnect(conn *c) {
    run.connecting--;
    if (run.ended) return;
    if (claimed() < waveBudget()) queueSend(c);
    else finishIfIdle();
}

/* The run's side of an answer. */
static void handleResponse(conn *c, int status, int keepAlive) {
    int64_t now = nowNs();
    run.outstanding--;
    run.completed++;
    run.lastResponseNs = now;
    int64_t ns = now - c->sentAtNs;
    latencyRecord(&run.latency, ns <= 0 ? 0 : (uint64_t)((ns + 500) / 1000));
    if (status < 200 || status > 299) run.non2xx++;
    if (!run.burstStarted) startBurst();
    if (!keepAlive || !opt.keepAlive) replace(c);
    else if (claimed() < waveBudget()) queueSend(c);
    else finishIfIdle();
}

/* The reader's callback: bytes after the answer to our one request answer nothing we sent. */
static int onReply(void *ctx, int status, int keepAlive) {
    conn *c = ctx;
    if (!c->outstanding || c->retired) return c->closed;
    c->outstanding = 0;
    c->responses++;
    handleResponse(c, status, keepAlive);
    return c->closed;
}

static void updateWatch(conn *c) {
    int wantOut = c->queuedWrites > 0;
    if (wantOut == c->watchingOut) return;
    c->watchingOut = wantOut;
    watch(c, EPOLL_CTL_MOD, EPOLLIN | (wantOut ? EPOLLOUT : 0));
}

/* Writes what is queued until the socket is full; a failed write closes it after this turn. */
static void flushWrites(conn *c) {
    while (c->queuedWrites > 0) {
        ssize_t n = send(c->fd, opt.request + c->writeOffset, opt.requestLen - c->writeOffset, MSG_NOSIGNAL);
        if (n > 0) {
            c->writeOffset += (size_t)n;
            if (c->writeOffset == opt.requestLen) {
                c->writeOffset = 0;
                c->queuedWrites--;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        setError(c, errorName(n < 0 ? errno : EPIPE));
        listPush(&run.deferred, c);
        return;
    }
    updateWatch(c);
}

static void sendRequest(conn *c) {
    c->outstanding = 1;
    c->sentAtNs = nowNs();
    c->requestsSent++;
    c->bytesSent += opt.requestLen;
    if (++c->queuedWrites == 1) flushWrites(c);
}

/* The next requests of every connection answered this turn, written together. */
static void flushReady(void) {
    for (size_t i = 0; i < run.ready.count; i++) {
        conn *c = run.ready.items[i];
        if (run.ended || c->retired || c->closed) continue;
        run.sent++;
        run.outstanding++;
        sendRequest(c);
    }
    run.ready.count = 0;
    finishIfIdle();
}

/* What Node does in setImmediate and in close events after a turn of the loop. */
static void runAfterTurn(void) {
    while (run.ready.count > 0 || run.deferred.count > 0) {
        if (run.ready.count > 0) flushReady();
        for (size_t i = 0; i < run.deferred.count; i++) closeConnection(run.deferred.items[i]);
        run.deferred.count = 0;
    }
}

static void handleReadable(conn *c) {
    ssize_t n = read(c->fd, readBuffer, sizeof readBuffer);
    if (n > 0) {
        if (c->firstByteAtUs < 0) c->firstByteAtUs = usSinceStart();
        c->bytesReceived += (uint64_t)n;
        if (replyFeed(c->reader, readBuffer, (size_t)n, onReply, c) < 0) {
            text t = {0};
            textf(&t, "bad response: %s", c->reader->error);
            textAdd(&t, "", 1); /* NUL */
            free(c->error);
            c->error = t.bytes;
            closeConnection(c);
        }
        return;
    }
    if (n == 0) {
        /* EOF from the server: it may complete an answer delimited by the close */
        c->closedByServer = 1;
        replyFinish(c->reader, onReply, c);
        closeConnection(c);
        return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    setError(c, errorName(errno));
    closeConnection(c);
}

static void handleEvent(conn *c, uint32_t events) {
    if (c->closed) return;
    if (!c->connected) {
        int error = 0;
        socklen_t len = sizeof error;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0) error = errno;
        if (error != 0) {
            setError(c, errorName(error));
            closeConnection(c);
            return;
        }
        c->connected = 1;
        c->connectedAtUs = usSinceStart();
        struct sockaddr_storage local;
        socklen_t localLen = sizeof local;
        if (getsockname(c->fd, (struct sockaddr *)&local, &localLen) == 0) {
            c->localPort = ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
                                                              : ((struct sockaddr_in *)&local)->sin_port);
        }
        c->watchingOut = 1;
        updateWatch(c);
        handleConnect(c);
        return;
    }
    if ((events & EPOLLOUT) && c->queuedWrites > 0) flushWrites(c);
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c->closed) handleReadable(c);
}

/* ---- the watch: progress, stall, timeout, and the hold while the caller reads ---- */

static void sampleProgress(void) {
    if (run.progressCount == run.progressCap) {
        run.progressCap = run.progressCap ? run.progressCap * 2 : 256;
        run.progressAtMs = checkedRealloc(run.progressAtMs, run.progressCap * sizeof *run.progressAtMs);
        run.progressCompleted = checkedRealloc(run.progressCompleted, run.progressCap * sizeof *run.progressCompleted);
    }
    run.progressAtMs[run.progressCount] = (nowNs() - run.startNs + 500000) / 1000000;
    run.progressCompleted[run.progressCount] = run.completed;
    run.progressCount++;
}

static void halt(const char *end, int64_t stalledForMs) {
    if (run.halting) return;
    run.halting = 1;
    if (opt.holdNs <= 0) {
        finish(end, stalledForMs);
        return;
    }
    run.holding = 1;
    run.haltEnd = end;
    run.haltStalledForMs = stalledForMs;
    run.holdUntilNs = nowNs() + opt.holdNs;
    text t = {0};
    textf(&t, "{\"type\":\"stalled\",\"end\":\"%s\"}", end);
    emit(&t);
}

static void tick(int64_t now) {
    int64_t elapsed = now - run.startNs;
    if (run.progressCount == 0 || elapsed - run.progressAtMs[run.progressCount - 1] * 1000000LL >= PROGRESS_INTERVAL_NS) {
        sampleProgress();
        text t = {0};
        textf(&t, "{\"type\":\"progress\",\"completed\":%llu,\"sent\":%llu}", (unsigned long long)run.completed,
              (unsigned long long)run.sent);
        emit(&t);
    }
    int64_t silentFor = now - run.lastResponseNs;
    if (silentFor >= opt.stallNs) halt("stalled", (silentFor + 500000) / 1000000);
}

static void readStdin(void) {
    static char line[64];
    static size_t lineLen;
    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) { /* EOF: the caller is gone */
            if (run.holding) finish(run.haltEnd, run.haltStalledForMs);
            finish("aborted", -1);
            return;
        }
        if (c != '\n') {
            if (lineLen < sizeof line - 1) line[lineLen++] = c;
            continue;
        }
        line[lineLen] = '\0';
        lineLen = 0;
        if (strcmp(line, "abort") == 0) finish("aborted", -1);
        else if (strcmp(line, "go") == 0 && run.holding) finish(run.haltEnd, run.haltStalledForMs);
    }
}

static void printResult(const char *end, int64_t stalledForMs, int64_t durationUs) {
    text t = {0};
    textf(&t, "{\"type\":\"result\",\"end\":\"%s\",\"stallMs\":", end);
    if (stalledForMs < 0) textAdd(&t, "null", 4);
    else textf(&t, "%lld", (long long)stalledForMs);
    textf(&t, ",\"startedAt\":%lld,\"durationMs\":", (long long)run.startEpochMs);
    textMs(&t, durationUs);
    textf(&t, ",\"sent\":%llu,\"completed\":%llu,\"non2xx\":%llu,\"errors\":%llu,\"wavesStarted\":%d,\"latencyMs\":",
          (unsigned long long)run.sent, (unsigned long long)run.completed, (unsigned long long)run.non2xx,
          (unsigned long long)run.errors, run.wave);
    if (run.latency.count == 0) {
        textAdd(&t, "null", 4);
    } else {
        const char *names[] = {"p50", "p90", "p99"};
        const unsigned percents[] = {50, 90, 99};
        textAdd(&t, "{", 1);
        for (int i = 0; i < 3; i++) {
            textf(&t, "\"%s\":", names[i]);
            textMs(&t, (int64_t)latencyPercentileUs(&run.latency, percents[i]));
            textAdd(&t, ",", 1);
        }
        textAdd(&t, "\"max\":", 6);
        textMs(&t, (int64_t)run.latency.maxUs);
        textAdd(&t, ",\"mean\":", 8);
        textMs(&t, (int64_t)latencyMeanUs(&run.latency));
        textAdd(&t, "}", 1);
    }
    textAdd(&t, ",\"progress\":[", 13);
    for (size_t i = 0; i < run.progressCount; i++) {
        textf(&t, "%s[%lld,%llu]", i ? "," : "", (long long)run.progressAtMs[i], (unsigned long long)run.progressCompleted[i]);
    }
    /* connections: [id, wave, localPort, connected, connectedAtMs, firstByteAtMs, requestsSent,
     * responses, bytesSent, bytesReceived, error, closedByServer] */
    textAdd(&t, "],\"connections\":[", 17);
    for (size_t i = 0; i < run.records.count; i++) {
        conn *c = run.records.items[i];
        textf(&t, "%s[%d,%d,", i ? "," : "", c->id, c->wave);
        if (c->localPort < 0) textAdd(&t, "null", 4);
        else textf(&t, "%d", c->localPort);
        textf(&t, ",%d,", c->connected);
        textMs(&t, c->connectedAtUs);
        textAdd(&t, ",", 1);
        textMs(&t, c->firstByteAtUs);
        textf(&t, ",%llu,%llu,%llu,%llu,", (unsigned long long)c->requestsSent, (unsigned long long)c->responses,
              (unsigned long long)c->bytesSent, (unsigned long long)c->bytesReceived);
        if (c->error) textString(&t, c->error);
        else textAdd(&t, "null", 4);
        textf(&t, ",%d]", c->closedByServer);
    }
    textAdd(&t, "]}", 2);
    emit(&t);
}

static void finish(const char *end, int64_t stalledForMs) {
    if (run.ended) return;
    run.ended = 1;
    /* The load ends with its last answer; closing the sockets (tens of us each) is not part of it,
     * as in the ab engine, whose socket closes run after it has resolved. */
    int64_t durationUs = usSinceStart();
    sampleProgress();
    closeAll();
    printResult(end, stalledForMs, durationUs);
    exit(0);
}

/* ---- start ---- */

static void readExactly(unsigned char *into, size_t len) {
    size_t at = 0;
    while (at < len) {
        ssize_t n = read(0, into + at, len - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("stdin ended before the request and answer bytes");
        at += (size_t)n;
    }
}

static void readStartLine(char *line, size_t size) {
    size_t len = 0;
    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) die("stdin ended before the go line");
        if (c == '\n') break;
        if (len < size - 1) line[len++] = c;
    }
    line[len] = '\0';
}

static long long numberArg(const char *name, const char *value, long long min) {
    char *end;
    errno = 0;
    long long n = strtoll(value, &end, 10);
    if (errno || *end || end == value || n < min) {
        fprintf(stderr, "rd-load: %s needs a whole number of at least %lld, got %s\n", name, min, value);
        exit(2);
    }
    return n;
}

static int64_t msArg(const char *name, const char *value) {
    char *end;
    double ms = strtod(value, &end);
    if (*end || end == value || !(ms >= 0) || ms > 1e12) {
        fprintf(stderr, "rd-load: %s needs milliseconds, got %s\n", name, value);
        exit(2);
    }
    return (int64_t)(ms * 1e6 + 0.5);
}

/* Loopback only: 127.0.0.0/8 or ::1, as assertLoopback checks before the caller spawns us. */
static void parseHost(const char *host, int port) {
    memset(&opt.addr, 0, sizeof opt.addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&opt.addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&opt.addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) die("refusing a non-loopback host: only 127.0.0.0/8 and ::1");
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        opt.addrLen = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) die("refusing a non-loopback host: only 127.0.0.0/8 and ::1");
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        opt.addrLen = sizeof *v6;
    } else {
        die("--host needs an IPv4 or IPv6 address");
    }
}

int main(int argc, char **argv) {
    const char *host = NULL;
    int port = 0;
    long long expectBytes = 0, requestBytes = -1;
    opt.concurrency = 1;
    opt.keepAlive = 1;
    opt.waves = 1;
    opt.stallNs = 1000000000LL;
    opt.timeoutNs = 30000000000LL;
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        if (i + 1 >= argc) die("every option needs a value");
        const char *value = argv[++i];
        if (strcmp(name, "--host") == 0) host = value;
        else if (strcmp(name, "--port") == 0) port = (int)numberArg(name, value, 1);
        else if (strcmp(name, "--requests") == 0) opt.requests = (uint64_t)numberArg(name, value, 1);
        else if (strcmp(name, "--concurrency") == 0) opt.concurrency = (int)numberArg(name, value, 1);
        else if (strcmp(name, "--keep-alive") == 0) opt.keepAlive = numberArg(name, value, 0) != 0;
        else if (strcmp(name, "--waves") == 0) opt.waves = (int)numberArg(name, value, 1);
        else if (strcmp(name, "--stall-ms") == 0) opt.stallNs = msArg(name, value);
        else if (strcmp(name, "--timeout-ms") == 0) opt.timeoutNs = msArg(name, value);
        else if (strcmp(name, "--hold-ms") == 0) opt.holdNs = msArg(name, value);
        else if (strcmp(name, "--wave-pause-ms") == 0) opt.wavePauseNs = msArg(name, value);
        else if (strcmp(name, "--request-bytes") == 0) requestBytes = numberArg(name, value, 1);
        else if (strcmp(name, "--expect-bytes") == 0) expectBytes = numberArg(name, value, 0);
        else {
            fprintf(stderr, "rd-load: unknown option %s\n", name);
            return 2;
        }
    }
    if (!host || port < 1 || port > 65535 || opt.requests == 0 || requestBytes < 1) {
        die("usage: rd-load --host ADDR --port N --requests N --request-bytes R [options], request and answer on stdin");
    }
    parseHost(host, port);
    opt.requestLen = (size_t)requestBytes;
    opt.request = malloc(opt.requestLen);
    if (!opt.request) die("out of memory");
    readExactly(opt.request, opt.requestLen);
    if (expectBytes > 0) {
        opt.expectedLen = (size_t)expectBytes;
        opt.expected = malloc(opt.expectedLen);
        if (!opt.expected) die("out of memory");
        readExactly(opt.expected, opt.expectedLen);
    }
    char startLine[16];
    readStartLine(startLine, sizeof startLine);
    signal(SIGPIPE, SIG_IGN);

    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    run.startEpochMs = (int64_t)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
    run.startNs = run.lastResponseNs = nowNs();
    run.wave = 1;
    run.haltStalledForMs = -1;
    if (strcmp(startLine, "go") != 0) finish("aborted", -1);

    run.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (run.epfd < 0) die("epoll_create1 failed");
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    struct epoll_event stdinEvent = {.events = EPOLLIN, .data.ptr = &stdinMarker};
    if (epoll_ctl(run.epfd, EPOLL_CTL_ADD, 0, &stdinEvent) != 0) die("cannot watch stdin (a pipe is needed)");

    /* Sample fast enough to notice a short stall close to its bound. */
    int64_t every = opt.stallNs / 4;
    if (every > PROGRESS_INTERVAL_NS) every = PROGRESS_INTERVAL_NS;
    if (every < 5000000LL) every = 5000000LL;
    run.tickEveryNs = every;
    run.nextTickNs = run.startNs + every;
    run.deadlineNs = run.startNs + opt.timeoutNs;

    openConnection();
    runAfterTurn();
    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int64_t now = nowNs();
        int64_t wakeAt = run.holding ? run.holdUntilNs : (run.nextTickNs < run.deadlineNs ? run.nextTickNs : run.deadlineNs);
        if (run.wavePending && run.waveOpenAtNs < wakeAt) wakeAt = run.waveOpenAtNs;
        int64_t waitNs = wakeAt - now;
        int timeoutMs = waitNs <= 0 ? 0 : (int)((waitNs + 999999) / 1000000);
        int n = epoll_wait(run.epfd, events, MAX_EVENTS, timeoutMs);
        if (n < 0 && errno != EINTR) die("epoll_wait failed");
        for (int i = 0; i < n; i++) {
            if (events[i].data.ptr == &stdinMarker) readStdin();
            else handleEvent(events[i].data.ptr, events[i].events);
        }
        runAfterTurn();
        now = nowNs();
        if (run.wavePending && !run.ended && now >= run.waveOpenAtNs) {
            openWave();
            runAfterTurn();
        }
        if (run.holding) {
            if (now >= run.holdUntilNs) finish(run.haltEnd, run.haltStalledForMs);
            continue;
        }
        if (run.halting) continue;
        if (now >= run.deadlineNs) {
            halt("timeout", -1);
            continue;
        }
        if (now >= run.nextTickNs) {
            tick(now);
            run.nextTickNs += run.tickEveryNs;
            if (run.nextTickNs <= now) run.nextTickNs = now + run.tickEveryNs;
        }
    }
}
