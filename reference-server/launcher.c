/*
 * rd-launch: runs a command so that it, and everything it forks or daemonizes, dies with the
 * process that started rd-launch, whatever kills that process (SIGKILL included).
 *
 * Usage: rd-launch [--grace-ms N] -- COMMAND [ARGS...]
 *
 * - PR_SET_CHILD_SUBREAPER: a descendant that daemonizes (double fork, setsid) is re-parented
 *   to rd-launch, not to init, so rd-launch still sees it and can stop it.
 * - PR_SET_PDEATHSIG(SIGTERM): when the parent dies, the kernel sends rd-launch SIGTERM.
 * - On SIGTERM, SIGINT or SIGHUP: SIGTERM to every descendant, SIGKILL to those left after
 *   --grace-ms (default 2000), then exit.
 * - It exits once no descendant is left: with the command's exit code, or by the command's
 *   signal, so the caller sees how the command ended. While any descendant lives (a daemon the
 *   command started), it stays.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PIDS 4096

static void usage(const char *why) {
    fprintf(stderr, "rd-launch: %s\nusage: rd-launch [--grace-ms N] -- COMMAND [ARGS...]\n", why);
    exit(2);
}

static long long nowMs(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Appends the children of pid (every thread's children file) to pids; returns the new count. */
static int addChildren(pid_t pid, pid_t *pids, int count) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    if (!tasks) return count;
    struct dirent *task;
    while ((task = readdir(tasks)) != NULL && count < MAX_PIDS) {
        if (task->d_name[0] == '.') continue;
        char file[320];
        snprintf(file, sizeof file, "/proc/%d/task/%s/children", (int)pid, task->d_name);
        FILE *f = fopen(file, "r");
        if (!f) continue;
        int child;
        while (count < MAX_PIDS && fscanf(f, "%d", &child) == 1) pids[count++] = (pid_t)child;
        fclose(f);
    }
    closedir(tasks);
    return count;
}

/* Signals every descendant of this process, parents before their children. */
static void signalDescendants(int sig) {
    static pid_t pids[MAX_PIDS];
    int count = addChildren(getpid(), pids, 0);
    for (int i = 0; i < count; i++) count = addChildren(pids[i], pids, count);
    for (int i = 0; i < count; i++) kill(pids[i], sig);
}

int main(int argc, char **argv) {
    long graceMs = 2000;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--grace-ms") == 0 && i + 1 < argc) {
            char *end;
            graceMs = strtol(argv[++i], &end, 10);
            if (*end != '\0' || graceMs < 0) usage("--grace-ms needs a number of milliseconds");
        } else {
            usage("unexpected argument before --");
        }
    }
    if (i + 1 >= argc) usage("no command after --");
    char **command = &argv[i + 1];

    pid_t parent = getppid();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
        perror("rd-launch: prctl");
        return 2;
    }
    sigset_t watched, previous;
    sigemptyset(&watched);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGHUP);
    sigaddset(&watched, SIGCHLD);
    sigprocmask(SIG_BLOCK, &watched, &previous);
    long long stopAt = getppid() != parent ? nowMs() : -1; /* the parent died before the prctl */

    pid_t child = fork();
    if (child < 0) {
        perror("rd-launch: fork");
        return 2;
    }
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &previous, NULL);
        execvp(command[0], command);
        fprintf(stderr, "rd-launch: cannot run %s: %s\n", command[0], strerror(errno));
        _exit(127);
    }

    int childStatus = 0;
    int killed = 0;
    for (;;) {
        int status;
        pid_t done;
        while ((done = waitpid(-1, &status, WNOHANG)) > 0) {
            if (done == child) childStatus = status;
        }
        if (done < 0 && errno == ECHILD) break; /* nobody left */
        if (stopAt >= 0 && !killed && nowMs() - stopAt >= graceMs) {
            killed = 1;
            signalDescendants(SIGKILL);
        }
        struct timespec tick = {0, 50 * 1000 * 1000};
        siginfo_t info;
        int sig = sigtimedwait(&watched, &info, &tick);
        if ((sig == SIGTERM || sig == SIGINT || sig == SIGHUP) && stopAt < 0) {
            stopAt = nowMs();
            signalDescendants(SIGTERM);
        } else if (stopAt >= 0 && killed) {
            signalDescendants(SIGKILL); /* anything forked meanwhile */
        }
    }

    if (WIFSIGNALED(childStatus)) {
        /* End the same way, so the caller sees the command's signal (without a core of our own). */
        struct rlimit noCore = {0, 0};
        setrlimit(RLIMIT_CORE, &noCore);
        int sig = WTERMSIG(childStatus);
        signal(sig, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        sigprocmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
    }
    return WIFEXITED(childStatus) ? WEXITSTATUS(childStatus) : 1;
}
