/* options.h -- the server's configuration, as parsed from the command line in main.c. */
#ifndef RS_OPTIONS_H
#define RS_OPTIONS_H

#define RS_MAX_THREADS 256

typedef struct rsOptions {
    int edgeTriggered;  /* --trigger et: EPOLLET on the listener and on connections */
    int threads;        /* --threads: I/O loops besides the main loop; 0 = main loop serves */
    int acceptDrain;    /* --accept drain: accept until EAGAIN; once: one accept per wakeup */
    int readDrain;      /* --read drain: read until EAGAIN; once: one read per wakeup */
    int backlog;
    int maxEvents;
    const char *host;
    int port;
    int statsIntervalMs; /* 0: only the final stats line */
    int acceptDelayUs;   /* pause after each accept; widens the seed's race window for tests */
    int echo;            /* --protocol echo: every byte read is written back; http: answer requests */
} rsOptions;

#endif
