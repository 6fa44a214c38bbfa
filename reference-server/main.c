/* main.c -- flags, wiring and lifetime of the reference reactor server.
 *
 * The main loop owns the listening socket, the stats timer and the signals. With --threads 0 it
 * serves the connections too; with --threads N it hands them round-robin to N I/O loops, one per
 * thread. Observability goes to stdout as JSON lines and never touches the sockets under test.
 *
 *   --trigger et|lt            EPOLLET or level-triggered, listener and connections (lt)
 *   --threads N                I/O loops besides the main loop, 0..256 (0)
 *   --accept once|drain        one accept() per listener wakeup, or until EAGAIN (drain)
 *   --read once|drain          one read() per connection wakeup, or until EAGAIN (drain)
 *   --backlog N  --max-events N  --host IPv4  --port N (128, 64, 127.0.0.1, 0 = any free port)
 *   --stats-interval-ms N      period of the stats line; 0 = only the final one (100)
 *   --accept-delay-us N        pause after each accept() (0). Lets more handshakes complete
 *                              behind one edge, so et + accept once loses connections in every
 *                              run instead of most runs: a test knob, never a fix.
 *
 * Bad flags: one line on stderr, exit 2. Startup failure (e.g. port in use): one line, exit 1.
 * SIGTERM/SIGINT: a final stats line with "final":true, then exit 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "acceptor.h"
#include "conn.h"
#include "loop.h"
#include "options.h"
#include "stats.h"

#define EXIT_USAGE 2

typedef struct rsServer {
    rsOptions opt;
    rsStats stats;
    rsAcceptor acceptor;
    rsWorker workers[RS_MAX_THREADS + 1]; /* 0 is the main loop */
    pthread_t threads[RS_MAX_THREADS + 1];
    int nextWorker;
    rsWatch signals;
    rsWatch timer;
} rsServer;

static void usageError(const char *fmt, const char *arg) {
    fputs("reactor-server: ", stderr);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(EXIT_USAGE);
}

static int parseInt(const char *flag, const char *value, int min, int max) {
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || end == value || *end || v < min || v > max) {
        fprintf(stderr, "reactor-server: %s must be an integer from %d to %d, got '%s'\n", flag, min,
                max, value);
        exit(EXIT_USAGE);
    }
    return (int)v;
}

/* Returns 1 for the first choice, 0 for the second. */
static int parseChoice(const char *flag, const char *value, const char *yes, const char *no) {
    if (strcmp(value, yes) == 0) return 1;
    if (strcmp(value, no) == 0) return 0;
    fprintf(stderr, "reactor-server: %s must be %s or %s, got '%s'\n", flag, yes, no, value);
    exit(EXIT_USAGE);
}

static void parseOptions(rsOptions *o, int argc, char **argv) {
    *o = (rsOptions){.threads = 0, .acceptDrain = 1, .readDrain = 1, .backlog = 128,
                     .maxEvents = 64, .host = "127.0.0.1", .statsIntervalMs = 100};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strncmp(flag, "--", 2) != 0) usageError("unexpected argument '%s'", flag);
        if (i + 1 >= argc) usageError("%s needs a value", flag);
        const char *v = argv[++i];
        if (!strcmp(flag, "--trigger")) o->edgeTriggered = parseChoice(flag, v, "et", "lt");
        else if (!strcmp(flag, "--threads")) o->threads = parseInt(flag, v, 0, RS_MAX_THREADS);
        else if (!strcmp(flag, "--accept")) o->acceptDrain = parseChoice(flag, v, "drain", "once");
        else if (!strcmp(flag, "--read")) o->readDrain = parseChoice(flag, v, "drain", "once");
        else if (!strcmp(flag, "--protocol")) o->echo = parseChoice(flag, v, "echo", "http");
        else if (!strcmp(flag, "--backlog")) o->backlog = parseInt(flag, v, 1, 65535);
        else if (!strcmp(flag, "--max-events")) o->maxEvents = parseInt(flag, v, 1, 65536);
        else if (!strcmp(flag, "--host")) o->host = v;
        else if (!strcmp(flag, "--port")) o->port = parseInt(flag, v, 0, 65535);
        else if (!strcmp(flag, "--stats-interval-ms"))
            o->statsIntervalMs = parseInt(flag, v, 0, 3600000);
        else if (!strcmp(flag, "--accept-delay-us"))
            o->acceptDelayUs = parseInt(flag, v, 0, 1000000);
        else usageError("unknown flag '%s'", flag);
    }
    struct in_addr addr;
    if (inet_pton(AF_INET, o->host, &addr) != 1) {
        usageError("--host must be an IPv4 address, got '%s'", o->host);
    }
}

/* Round-robin over the I/O loops, or the main loop itself when there are none. */
static void dispatchConn(void *data, int fd) {
    rsServer *s = data;
    if (s->opt.threads == 0) {
        connEstablish(&s->workers[0], fd);
        return;
    }
    connEstablish(&s->workers[1 + s->nextWorker], fd);
    s->nextWorker = (s->nextWorker + 1) % s->opt.threads;
}

static void handleTimer(rsLoop *loop, rsWatch *watch, int mask) {
    rsServer *s = watch->data;
    uint64_t expirations;
    (void)loop;
    (void)mask;
    if (read(watch->fd, &expirations, sizeof(expirations)) > 0) statsWriteLine(stdout, &s->stats, 0);
}

/* SIGTERM or SIGINT: the final stats line, then the loops wind down. */
static void handleSignal(rsLoop *loop, rsWatch *watch, int mask) {
    rsServer *s = watch->data;
    struct signalfd_siginfo info;
    (void)mask;
    if (read(watch->fd, &info, sizeof(info)) != sizeof(info)) return;
    statsWriteLine(stdout, &s->stats, 1);
    rsStopLoop(loop);
}

static int openTimer(int intervalMs) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return -1;
    struct timespec every = {intervalMs / 1000, (long)(intervalMs % 1000) * 1000000L};
    struct itimerspec spec = {.it_interval = every, .it_value = every};
    if (timerfd_settime(fd, 0, &spec, NULL) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void writeListening(const rsServer *s) {
    printf("{\"event\":\"listening\",\"host\":\"%s\",\"port\":%d,\"pid\":%d,\"trigger\":\"%s\","
           "\"threads\":%d,\"accept\":\"%s\",\"read\":\"%s\",\"backlog\":%d,\"protocol\":\"%s\"}\n",
           s->opt.host, s->acceptor.port, (int)getpid(), s->opt.edgeTriggered ? "et" : "lt",
           s->opt.threads, s->opt.acceptDrain ? "drain" : "once", s->opt.readDrain ? "drain" : "once",
           s->opt.backlog, s->opt.echo ? "echo" : "http");
    fflush(stdout);
}

/* Runs as the main loop's first task, so every watch is added from the loop's own thread. */
static void startServing(rsLoop *loop, void *arg) {
    rsServer *s = arg;
    if (rsAddWatch(loop, &s->signals, RS_READABLE) < 0 ||
        (s->timer.fd >= 0 && rsAddWatch(loop, &s->timer, RS_READABLE) < 0) ||
        acceptorStart(&s->acceptor, loop, dispatchConn, s) < 0) {
        perror("reactor-server: epoll_ctl");
        exit(1);
    }
    writeListening(s);
}

static void *runWorker(void *arg) {
    rsWorker *w = arg;
    rsRunLoop(w->loop);
    connCloseAll(w);
    return NULL;
}

static void die(const char *what) {
    fprintf(stderr, "reactor-server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void createWorkers(rsServer *s) {
    for (int i = 0; i <= s->opt.threads; i++) {
        rsWorker *w = &s->workers[i];
        *w = (rsWorker){.index = i, .opt = &s->opt, .stats = &s->stats};
        if ((w->loop = rsCreateLoop(s->opt.maxEvents)) == NULL) die("create loop");
    }
    for (int i = 1; i <= s->opt.threads; i++) {
        errno = pthread_create(&s->threads[i], NULL, runWorker, &s->workers[i]);
        if (errno) die("pthread_create");
    }
}

static void stopWorkers(rsServer *s) {
    for (int i = 1; i <= s->opt.threads; i++) {
        rsStopLoop(s->workers[i].loop);
        pthread_join(s->threads[i], NULL);
        rsDeleteLoop(s->workers[i].loop);
    }
}

/* Signals are blocked in every thread (the I/O threads inherit the mask) and read from a
 * signalfd by the main loop, so no handler runs at an arbitrary point. */
static int openSignals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int main(int argc, char **argv) {
    static rsServer server;
    rsServer *s = &server;
    char err[256];

    parseOptions(&s->opt, argc, argv);
    signal(SIGPIPE, SIG_IGN);
    statsInit(&s->stats, s->opt.threads + 1);
    if ((s->signals.fd = openSignals()) < 0) die("signalfd");
    s->signals.proc = handleSignal;
    s->signals.data = s;
    s->timer.fd = -1;
    if (s->opt.statsIntervalMs > 0 && (s->timer.fd = openTimer(s->opt.statsIntervalMs)) < 0) {
        die("timerfd");
    }
    s->timer.proc = handleTimer;
    s->timer.data = s;
    if (acceptorListen(&s->acceptor, &s->opt, &s->stats, err, sizeof(err)) < 0) {
        fprintf(stderr, "reactor-server: %s\n", err);
        return 1;
    }
    createWorkers(s);
    rsLoop *mainLoop = s->workers[0].loop;
    if (rsRunInLoop(mainLoop, startServing, s) < 0) die("start");
    rsRunLoop(mainLoop);

    acceptorClose(&s->acceptor, mainLoop);
    stopWorkers(s);
    connCloseAll(&s->workers[0]);
    rsDeleteWatch(mainLoop, &s->signals);
    close(s->signals.fd);
    if (s->timer.fd >= 0) {
        rsDeleteWatch(mainLoop, &s->timer);
        close(s->timer.fd);
    }
    rsDeleteLoop(mainLoop);
    return 0;
}
