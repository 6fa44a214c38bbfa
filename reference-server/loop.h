/* loop.h -- one event loop per thread, muduo style, with an ae-style epoll backend.
 *
 * A loop belongs to the thread that runs it. Watches are registered and changed only from that
 * thread (rsAssertInLoopThread guards it). Other threads hand work over with rsRunInLoop, which
 * queues a task under a mutex and wakes the loop through an eventfd. */
#ifndef RS_LOOP_H
#define RS_LOOP_H

#include <stdint.h>

#define RS_READABLE 1 /* also reported on hang-up and error, so the read path sees them */
#define RS_WRITABLE 2
#define RS_EDGE 4     /* register with EPOLLET */

typedef struct rsLoop rsLoop;
typedef struct rsWatch rsWatch;
typedef void rsWatchProc(rsLoop *loop, rsWatch *watch, int mask);
typedef void rsTaskProc(rsLoop *loop, void *arg);

/* A file descriptor the loop watches; the owner embeds it and keeps it alive while registered. */
struct rsWatch {
    int fd;
    int mask;            /* RS_READABLE | RS_WRITABLE | RS_EDGE as registered */
    rsWatchProc *proc;
    void *data;
};

/* Creates a loop that collects at most maxEvents per epoll_wait. Returns NULL with errno set. */
rsLoop *rsCreateLoop(int maxEvents);

/* Frees a loop whose thread has left rsRunLoop. Watches must already be removed. */
void rsDeleteLoop(rsLoop *loop);

/* Runs until rsStopLoop, then runs the tasks still queued so none is lost. The calling thread
 * becomes the loop's thread. */
void rsRunLoop(rsLoop *loop);

/* Asks the loop to return from rsRunLoop after its current iteration. Any thread. */
void rsStopLoop(rsLoop *loop);

/* Runs proc(loop, arg) now when called from the loop's thread, otherwise queues it and wakes
 * the loop. Returns 0, or -1 with errno when the task could not be queued. */
int rsRunInLoop(rsLoop *loop, rsTaskProc *proc, void *arg);

/* Register, change or remove a watch. Loop thread only. Return 0, or -1 with errno. */
int rsAddWatch(rsLoop *loop, rsWatch *watch, int mask);
int rsModifyWatch(rsLoop *loop, rsWatch *watch, int mask);
int rsDeleteWatch(rsLoop *loop, rsWatch *watch);

int rsIsInLoopThread(const rsLoop *loop);

/* Aborts when called outside the loop's thread: loop-owned state has exactly one writer. */
void rsAssertInLoopThread(const rsLoop *loop);

#endif
