/* http-test.c -- tests for the request parser. Every input sits right before a PROT_NONE page,
 * as picohttpparser's tests do, so reading one byte past the input crashes. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../http.h"
#include "check.h"

static char *guarded; /* one writable page followed by a PROT_NONE page */
static size_t pageSize;

/* Copies the first len bytes of s to end exactly at the guard page and parses them. */
static int parsePrefix(const char *s, size_t len, httpRequest *req) {
    char *at = guarded + pageSize - len;
    memcpy(at, s, len);
    return httpParseRequest(at, len, req);
}

static int parse(const char *s, httpRequest *req) {
    return parsePrefix(s, strlen(s), req);
}

static int equals(const char *p, size_t len, const char *expected) {
    return len == strlen(expected) && memcmp(p, expected, len) == 0;
}

static void testComplete(void) {
    httpRequest req;
    const char *s = "GET /path?q=1 HTTP/1.1\r\nHost: example\r\nX-Pad:   spaced value \t\r\n\r\nNEXT";
    CHECK(parse(s, &req) == (int)(strlen(s) - 4));
    CHECK(equals(req.method, req.methodLen, "GET"));
    CHECK(equals(req.path, req.pathLen, "/path?q=1"));
    CHECK(req.minorVersion == 1);
    CHECK(req.numHeaders == 2);
    CHECK(equals(req.headers[0].name, req.headers[0].nameLen, "Host"));
    CHECK(equals(req.headers[1].value, req.headers[1].valueLen, "spaced value"));
    CHECK(parse("\r\n\nGET / HTTP/1.0\n\n", &req) == 19); /* leading blank lines, bare LF */
    CHECK(req.minorVersion == 0 && req.numHeaders == 0);
}

static void testEveryPrefixIsPartial(void) {
    httpRequest req;
    const char *s = "POST /upload HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\n";
    for (size_t len = 0; len < strlen(s); len++) CHECK(parsePrefix(s, len, &req) == -2);
    CHECK(parsePrefix(s, strlen(s), &req) == (int)strlen(s));
}

static void testMalformed(void) {
    httpRequest req;
    const char *bad[] = {
        "GET /\r\n\r\n",                          /* no version */
        "GET  / HTTP/1.1\r\n\r\n",                /* empty target */
        "GET / HTTP/2.0\r\n\r\n",
        "GET / HTTP/1.1x\r\n\r\n",
        "G(T / HTTP/1.1\r\n\r\n",                 /* not a token */
        "GET / HTTP/1.1\r\n folded\r\n\r\n",      /* obsolete line folding */
        "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
        "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\nBad\x01: x\r\n\r\n",
        "GET / HTTP/1.1\r\nX: a\x7f b\r\n\r\n",
        "\x16\x03\x01",                            /* a TLS hello, still partial */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], &req) != -1) fprintf(stderr, "accepted malformed input %zu\n", i);
        CHECK(parse(bad[i], &req) == -1);
    }
}

static void testHeaderCountLimit(void) {
    static char s[4096];
    httpRequest req;
    size_t len = (size_t)sprintf(s, "GET / HTTP/1.1\r\n");
    for (int i = 0; i < HTTP_MAX_HEADERS; i++) len += (size_t)sprintf(s + len, "H%d: v\r\n", i);
    strcpy(s + len, "\r\n");
    CHECK(parse(s, &req) == (int)len + 2 && req.numHeaders == HTTP_MAX_HEADERS);
    strcpy(s + len, "One-More: v\r\n\r\n");
    CHECK(parse(s, &req) == -1);
}

static void testContentLength(void) {
    httpRequest req;
    size_t n;
    CHECK(parse("GET / HTTP/1.1\r\n\r\n", &req) > 0 && httpGetContentLength(&req, &n) == 0 && n == 0);
    CHECK(parse("POST / HTTP/1.1\r\ncontent-length: 12\r\n\r\n", &req) > 0);
    CHECK(httpGetContentLength(&req, &n) == 0 && n == 12);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", &req) > 0);
    CHECK(httpGetContentLength(&req, &n) == 0 && n == 3);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", &req) > 0);
    CHECK(httpGetContentLength(&req, &n) == -1);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", &req) > 0);
    CHECK(httpGetContentLength(&req, &n) == -1);
    CHECK(parse("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", &req) > 0);
    CHECK(httpGetContentLength(&req, &n) == -1);
    CHECK(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &req) > 0);
    CHECK(httpHasHeader(&req, "transfer-encoding") == 1 && httpHasHeader(&req, "Host") == 0);
}

static void testKeepAlive(void) {
    httpRequest req;
    CHECK(parse("GET / HTTP/1.1\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 1);
    CHECK(parse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 0);
    CHECK(parse("GET / HTTP/1.0\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 0);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 1);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: upgrade, keep-alive\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 1);
    CHECK(parse("GET / HTTP/1.1\r\nConnection: keep-alive-ish\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 1);
    CHECK(parse("GET / HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n", &req) > 0 && httpWantsKeepAlive(&req) == 0);
}

int main(void) {
    pageSize = (size_t)sysconf(_SC_PAGESIZE);
    guarded = mmap(NULL, 2 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (guarded == MAP_FAILED || mprotect(guarded + pageSize, pageSize, PROT_NONE) != 0) {
        perror("http-test: mmap");
        return 2;
    }
    testComplete();
    testEveryPrefixIsPartial();
    testMalformed();
    testHeaderCountLimit();
    testContentLength();
    testKeepAlive();
    munmap(guarded, 2 * pageSize);
    if (failures) {
        fprintf(stderr, "http-test: %d failed\n", failures);
        return 1;
    }
    printf("http-test: all passed\n");
    return 0;
}
