/* load-reply-test.c -- tests for rd-load's answer readers (load-reply.c) and latency histogram.
 * Every chunk fed sits right before a PROT_NONE page, so reading one byte past it crashes; the
 * build runs under ASan/UBSan. The expected messages are those of the Node engine's parser
 * (test/load/http-response-parser.test.ts), since both engines report wrong answers alike. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../load-latency.h"
#include "../load-reply.h"
#include "check.h"

static unsigned char *guarded;
static size_t pageSize;

/* What the callback saw: "200k" per answer (k: keep-alive, c: close). */
typedef struct seen {
    char text[512];
    int stopAfter; /* stop the feed after this many answers (0: never) */
    int count;
} seen;

static int record(void *ctx, int status, int keepAlive) {
    seen *s = ctx;
    size_t len = strlen(s->text);
    snprintf(s->text + len, sizeof s->text - len, "%d%c ", status, keepAlive ? 'k' : 'c');
    s->count++;
    return s->stopAfter && s->count >= s->stopAfter;
}

/* Feeds bytes as one chunk ending at the guard page. */
static int feed(replyReader *r, const char *bytes, size_t len, seen *s) {
    unsigned char *at = guarded + pageSize - len;
    memcpy(at, bytes, len);
    return replyFeed(r, at, len, record, s);
}

/* Feeds text in chunks split at the given points; returns the last feed's result. */
static int feedSplit(replyReader *r, const char *text, const size_t *cuts, size_t cutCount, seen *s) {
    size_t from = 0, len = strlen(text);
    int result = 0;
    for (size_t i = 0; i <= cutCount && result == 0; i++) {
        size_t to = i < cutCount ? cuts[i] : len;
        if (to > from) result = feed(r, text + from, to - from, s);
        from = to > from ? to : from;
    }
    return result;
}

static void parseHttp(const char *text, seen *s) {
    replyReader r;
    replyInitHttp(&r);
    memset(s, 0, sizeof *s);
    CHECK(feedSplit(&r, text, NULL, 0, s) == 0);
    replyFree(&r);
}

/* The same answers whatever two chunks the text is split into. */
static void checkEverySplit(const char *text, const char *expected) {
    for (size_t at = 0; at <= strlen(text); at++) {
        replyReader r;
        replyInitHttp(&r);
        seen s = {0};
        CHECK(feedSplit(&r, text, &at, 1, &s) == 0);
        if (strcmp(s.text, expected) != 0) {
            fprintf(stderr, "split at %zu: got \"%s\", expected \"%s\"\n", at, s.text, expected);
            failures++;
        }
        replyFree(&r);
    }
}

static const char *nginxOk = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n";
static const char *chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n";

static void testFraming(void) {
    seen s;
    char two[1024];
    snprintf(two, sizeof two, "%s%s", nginxOk, nginxOk);
    checkEverySplit(two, "200k 200k ");
    snprintf(two, sizeof two, "%s%s", chunked, nginxOk);
    checkEverySplit(two, "200k 200k ");
    /* one byte at a time */
    replyReader r;
    replyInitHttp(&r);
    memset(&s, 0, sizeof s);
    snprintf(two, sizeof two, "%s%s", nginxOk, chunked);
    for (size_t i = 0; i < strlen(two); i++) CHECK(feed(&r, two + i, 1, &s) == 0);
    CHECK(strcmp(s.text, "200k 200k ") == 0);
    replyFree(&r);
    parseHttp("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", &s);
    CHECK(strcmp(s.text, "200k ") == 0);
    parseHttp("HTTP/1.1 200 OK\r\nCONTENT-LENGTH:2 \r\n\r\nhi", &s);
    CHECK(strcmp(s.text, "200k ") == 0);
    parseHttp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n", &s);
    CHECK(strcmp(s.text, "204k 304k ") == 0);
    parseHttp("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n", &s);
    CHECK(strcmp(s.text, "503k ") == 0);
}

static void testKeepAlive(void) {
    seen s;
    parseHttp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", &s);
    CHECK(strcmp(s.text, "200c ") == 0);
    parseHttp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: Upgrade, Close\r\n\r\n", &s);
    CHECK(strcmp(s.text, "200c ") == 0);
    parseHttp("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &s);
    CHECK(strcmp(s.text, "200c ") == 0);
    parseHttp("HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: Keep-Alive\r\n\r\n", &s);
    CHECK(strcmp(s.text, "200k ") == 0);
}

static void testCloseDelimited(void) {
    replyReader r;
    replyInitHttp(&r);
    seen s = {0};
    CHECK(feed(&r, "HTTP/1.0 200 OK\r\n\r\nsome body", 28, &s) == 0);
    CHECK(feed(&r, "more", 4, &s) == 0);
    CHECK(s.count == 0);
    replyFinish(&r, record, &s);
    CHECK(strcmp(s.text, "200c ") == 0);
    replyFree(&r);
}

/* Returns the error of a malformed answer. */
static const char *errorOf(replyReader *r, const char *text) {
    seen s = {0};
    replyInitHttp(r);
    int result = feedSplit(r, text, NULL, 0, &s);
    CHECK(result == -1);
    replyFree(r);
    return r->error;
}

static void testMalformed(void) {
    replyReader r;
    CHECK(strcmp(errorOf(&r, "HTP/1.1 200 OK\r\n\r\n"), "invalid status line: \"HTP/1.1 200 OK\\r\"") == 0);
    CHECK(strcmp(errorOf(&r, "SSH-2.0-OpenSSH\r\n\r\n"), "invalid status line: \"SSH-2.0-OpenSSH\\r\"") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n"), "invalid Content-Length") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n"), "empty Content-Length") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"), "Content-Length too large") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), "invalid chunk size") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n"), "missing CRLF after chunk data") == 0);
    CHECK(strcmp(errorOf(&r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n"), "chunk size too large") == 0);
    /* a head that never ends, fed in pieces */
    replyInitHttp(&r);
    seen s = {0};
    char piece[1000];
    memset(piece, 'a', sizeof piece);
    int result = feed(&r, "HTTP/1.1 200 OK\r\nX: ", 20, &s);
    for (int i = 0; i < 80 && result == 0; i++) result = feed(&r, piece, sizeof piece, &s);
    CHECK(result == -1);
    CHECK(strcmp(r.error, "response head larger than 65536 bytes") == 0);
    replyFree(&r);
}

static void testStop(void) {
    replyReader r;
    replyInitHttp(&r);
    seen s = {.stopAfter = 1};
    char two[1024];
    snprintf(two, sizeof two, "%s%s", nginxOk, nginxOk);
    CHECK(feed(&r, two, strlen(two), &s) == 1);
    CHECK(s.count == 1);
    replyFree(&r);
}

static void testExact(void) {
    replyReader r;
    const unsigned char pong[] = "+PONG\r\n";
    replyInitExact(&r, pong, 7, 1);
    seen s = {0};
    CHECK(feed(&r, "+PO", 3, &s) == 0);
    CHECK(s.count == 0);
    CHECK(feed(&r, "NG\r\n+PONG\r\n", 11, &s) == 0);
    CHECK(strcmp(s.text, "200k 200k ") == 0);
    CHECK(feed(&r, "-ERR\r\n", 6, &s) == -1);
    CHECK(strcmp(r.error, "expected \"+PONG\\r\" at byte 0 of the answer, got \"-ERR\\r\\n\"") == 0);
    const unsigned char ok[] = "+OK\r\n";
    replyInitExact(&r, ok, 5, 0);
    CHECK(feed(&r, "+PONG\r\n", 7, &s) == -1);
    CHECK(strcmp(r.error, "expected \"+OK\\r\\n\" at byte 0 of the answer, got \"+PONG\"") == 0);
}

static void testQuote(void) {
    char out[REPLY_QUOTE_BYTES];
    const unsigned char bytes[] = {'a', '"', '\\', 1, 0x7f, 0xe9};
    replyQuote(out, sizeof out, bytes, sizeof bytes, 1);
    CHECK(strcmp(out, "\"a\\\"\\\\\\u0001\x7f\xc3\xa9\"") == 0);
    unsigned char many[50];
    memset(many, 'x', sizeof many);
    replyQuote(out, sizeof out, many, sizeof many, 1);
    CHECK(strlen(out) == 45 && strcmp(out + 41, "\"...") == 0);
}

static void testLatency(void) {
    static latencyHistogram h;
    memset(&h, 0, sizeof h);
    for (uint64_t us = 1; us <= 100; us++) latencyRecord(&h, us);
    CHECK(latencyPercentileUs(&h, 50) == 50);
    CHECK(latencyPercentileUs(&h, 99) == 99);
    CHECK(latencyMeanUs(&h) == 51); /* 50.5 rounds up */
    latencyRecord(&h, 1500);
    CHECK(h.maxUs == 1500);
    CHECK(latencyPercentileUs(&h, 100) == 1500);
    memset(&h, 0, sizeof h);
    latencyRecord(&h, 1501); /* above 1024 us: an upper bucket bound, never below the value */
    latencyRecord(&h, 1000000);
    CHECK(latencyPercentileUs(&h, 50) >= 1501 && latencyPercentileUs(&h, 50) <= 1501 + 1501 / 256);
}

int main(void) {
    pageSize = (size_t)sysconf(_SC_PAGESIZE);
    guarded = mmap(NULL, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guarded == MAP_FAILED || mprotect(guarded + pageSize, pageSize, PROT_NONE) != 0) return 2;
    testFraming();
    testKeepAlive();
    testCloseDelimited();
    testMalformed();
    testStop();
    testExact();
    testQuote();
    testLatency();
    if (failures) {
        fprintf(stderr, "load-reply-test: %d failed\n", failures);
        return 1;
    }
    printf("load-reply-test: all passed\n");
    return 0;
}
