/* loop.c -- epoll event loop with a cross-thread task queue (see loop.h). */
#include "loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct rsTask {
    rsTaskProc *proc;
    void *arg;
} rsTask;

typedef struct rsFired {
    rsWatch *watch;
    int mask;
} rsFired;

struct rsLoop {
    int epfd;
    int maxEvents;
    struct epoll_event *events; /* filled by epoll_wait */
    rsFired *fired;             /* what dispatch sees: the backend's events, translated */
    atomic_bool quit;
    rsWatch wakeup;             /* eventfd that rsRunInLoop writes to */
    pthread_mutex_t lock;       /* guards pending */
    rsTask *pending;
    int pendingLen, pendingCap;
};

static _Thread_local rsLoop *currentLoop;

static void handleWakeup(rsLoop *loop, rsWatch *watch, int mask) {
    uint64_t n;
    (void)loop;
    (void)mask;
    while (read(watch->fd, &n, sizeof(n)) < 0 && errno == EINTR) {}
}

rsLoop *rsCreateLoop(int maxEvents) {
    rsLoop *loop = calloc(1, sizeof(*loop));
    if (loop == NULL) return NULL;
    loop->epfd = loop->wakeup.fd = -1;
    loop->maxEvents = maxEvents;
    loop->events = calloc(maxEvents, sizeof(*loop->events));
    loop->fired = calloc(maxEvents, sizeof(*loop->fired));
    if (loop->events == NULL || loop->fired == NULL) goto err;
    if ((loop->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) goto err;
    if ((loop->wakeup.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) goto err;
    pthread_mutex_init(&loop->lock, NULL);
    atomic_init(&loop->quit, false);
    loop->wakeup.proc = handleWakeup;
    /* Registered before any thread runs the loop, so no thread check here. */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &loop->wakeup};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakeup.fd, &ev) < 0) goto err;
    loop->wakeup.mask = RS_READABLE;
    return loop;

err:
    if (loop->wakeup.fd >= 0) close(loop->wakeup.fd);
    if (loop->epfd >= 0) close(loop->epfd);
    free(loop->events);
    free(loop->fired);
    free(loop);
    return NULL;
}

void rsDeleteLoop(rsLoop *loop) {
    pthread_mutex_destroy(&loop->lock);
    close(loop->wakeup.fd);
    close(loop->epfd);
    free(loop->pending);
    free(loop->events);
    free(loop->fired);
    free(loop);
}

int rsIsInLoopThread(const rsLoop *loop) {
    return currentLoop == loop;
}

void rsAssertInLoopThread(const rsLoop *loop) {
    if (!rsIsInLoopThread(loop)) {
        fprintf(stderr, "reactor-server: loop %p used outside its thread\n", (const void *)loop);
        abort();
    }
}

static uint32_t toEpollEvents(int mask) {
    uint32_t events = 0;
    if (mask & RS_READABLE) events |= EPOLLIN;
    if (mask & RS_WRITABLE) events |= EPOLLOUT;
    if (mask & RS_EDGE) events |= EPOLLET;
    return events;
}

static int controlWatch(rsLoop *loop, int op, rsWatch *watch, int mask) {
    rsAssertInLoopThread(loop);
    struct epoll_event ev = {.events = toEpollEvents(mask), .data.ptr = watch};
    if (epoll_ctl(loop->epfd, op, watch->fd, &ev) < 0) return -1;
    watch->mask = mask;
    return 0;
}

int rsAddWatch(rsLoop *loop, rsWatch *watch, int mask) {
    return controlWatch(loop, EPOLL_CTL_ADD, watch, mask);
}

int rsModifyWatch(rsLoop *loop, rsWatch *watch, int mask) {
    return controlWatch(loop, EPOLL_CTL_MOD, watch, mask);
}

int rsDeleteWatch(rsLoop *loop, rsWatch *watch) {
    return controlWatch(loop, EPOLL_CTL_DEL, watch, 0);
}

/* The backend: waits and translates epoll events into fired[]. Returns how many fired. */
static int pollEvents(rsLoop *loop) {
    int n = epoll_wait(loop->epfd, loop->events, loop->maxEvents, -1);
    if (n < 0) {
        if (errno != EINTR) perror("reactor-server: epoll_wait");
        return 0;
    }
    for (int i = 0; i < n; i++) {
        uint32_t e = loop->events[i].events;
        int mask = 0;
        if (e & (EPOLLIN | EPOLLHUP | EPOLLERR)) mask |= RS_READABLE;
        if (e & EPOLLOUT) mask |= RS_WRITABLE;
        loop->fired[i].watch = loop->events[i].data.ptr;
        loop->fired[i].mask = mask;
    }
    return n;
}

/* Swaps the queue out under the lock and runs it outside, so tasks may queue more tasks. */
static void runPendingTasks(rsLoop *loop) {
    pthread_mutex_lock(&loop->lock);
    rsTask *tasks = loop->pending;
    int len = loop->pendingLen;
    loop->pending = NULL;
    loop->pendingLen = loop->pendingCap = 0;
    pthread_mutex_unlock(&loop->lock);
    for (int i = 0; i < len; i++) tasks[i].proc(loop, tasks[i].arg);
    free(tasks);
}

void rsRunLoop(rsLoop *loop) {
    currentLoop = loop;
    while (!atomic_load(&loop->quit)) {
        int n = pollEvents(loop);
        for (int i = 0; i < n; i++) {
            rsWatch *watch = loop->fired[i].watch;
            watch->proc(loop, watch, loop->fired[i].mask);
        }
        runPendingTasks(loop);
    }
    runPendingTasks(loop);
}

static void wakeLoop(rsLoop *loop) {
    uint64_t one = 1;
    while (write(loop->wakeup.fd, &one, sizeof(one)) < 0 && errno == EINTR) {}
}

void rsStopLoop(rsLoop *loop) {
    atomic_store(&loop->quit, true);
    if (!rsIsInLoopThread(loop)) wakeLoop(loop);
}

static int queueTask(rsLoop *loop, rsTaskProc *proc, void *arg) {
    pthread_mutex_lock(&loop->lock);
    if (loop->pendingLen == loop->pendingCap) {
        int cap = loop->pendingCap ? loop->pendingCap * 2 : 16;
        rsTask *grown = realloc(loop->pending, cap * sizeof(*grown));
        if (grown == NULL) {
            pthread_mutex_unlock(&loop->lock);
            errno = ENOMEM;
            return -1;
        }
        loop->pending = grown;
        loop->pendingCap = cap;
    }
    loop->pending[loop->pendingLen++] = (rsTask){proc, arg};
    pthread_mutex_unlock(&loop->lock);
    wakeLoop(loop);
    return 0;
}

int rsRunInLoop(rsLoop *loop, rsTaskProc *proc, void *arg) {
    if (rsIsInLoopThread(loop)) {
        proc(loop, arg);
        return 0;
    }
    return queueTask(loop, proc, arg);
}
