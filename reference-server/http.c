/* http.c -- see http.h. */
#include "http.h"

#include <string.h>
#include <strings.h>

#define MAX_CONTENT_LENGTH ((size_t)1 << 40)

static int isTokenChar(unsigned char c) {
    return c > 0x20 && c < 0x7f && strchr("\"(),/:;<=>?@[\\]{}", c) == NULL;
}

/* Header values may hold visible characters, spaces, tabs and obs-text. */
static int isValueChar(unsigned char c) {
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* End of the line whose '\n' is at eol, without its optional '\r'. */
static const char *trimLineEnd(const char *start, const char *eol) {
    return (eol > start && eol[-1] == '\r') ? eol - 1 : eol;
}

static const char *skipToken(const char *p, const char *end) {
    while (p < end && isTokenChar((unsigned char)*p)) p++;
    return p;
}

/* "METHOD SP target SP HTTP/1.x" exactly, from p to end (line end already cut off). */
static int parseRequestLine(const char *p, const char *end, httpRequest *req) {
    const char *q = skipToken(p, end);
    if (q == p || q == end || *q != ' ') return -1;
    req->method = p;
    req->methodLen = (size_t)(q - p);
    p = ++q;
    while (q < end && (unsigned char)*q > 0x20 && *q != 0x7f) q++;
    if (q == p || q == end || *q != ' ') return -1;
    req->path = p;
    req->pathLen = (size_t)(q - p);
    p = q + 1;
    if (end - p != 8 || memcmp(p, "HTTP/1.", 7) != 0) return -1;
    if (p[7] < '0' || p[7] > '9') return -1;
    req->minorVersion = p[7] - '0';
    return 0;
}

/* "name: value" with optional whitespace around the value; folded lines are rejected. */
static int parseHeaderLine(const char *p, const char *end, httpHeader *h) {
    const char *q = skipToken(p, end);
    if (q == p || q == end || *q != ':') return -1;
    h->name = p;
    h->nameLen = (size_t)(q - p);
    for (q++; q < end && (*q == ' ' || *q == '\t'); q++) {}
    const char *valueEnd = end;
    while (valueEnd > q && (valueEnd[-1] == ' ' || valueEnd[-1] == '\t')) valueEnd--;
    for (const char *c = q; c < valueEnd; c++) {
        if (!isValueChar((unsigned char)*c)) return -1;
    }
    h->value = q;
    h->valueLen = (size_t)(valueEnd - q);
    return 0;
}

/* A request line still arriving is malformed early if it holds a control character, so binary
 * garbage gets its 400 at once instead of waiting for the header limit. */
static int isPlausiblePartialLine(const char *p, const char *end) {
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\r') || c == 0x7f) return 0;
    }
    return 1;
}

int httpParseRequest(const char *buf, size_t len, httpRequest *req) {
    const char *p = buf, *end = buf + len, *eol;

    req->numHeaders = 0;
    while (p < end && (*p == '\r' || *p == '\n')) p++; /* tolerated blank lines, RFC 9112 2.2 */
    if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL) {
        return isPlausiblePartialLine(p, end) ? -2 : -1;
    }
    if (parseRequestLine(p, trimLineEnd(p, eol), req) != 0) return -1;
    for (p = eol + 1;; p = eol + 1) {
        if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL) return -2;
        const char *lineEnd = trimLineEnd(p, eol);
        if (lineEnd == p) return (int)(eol + 1 - buf);
        if (req->numHeaders == HTTP_MAX_HEADERS) return -1;
        if (parseHeaderLine(p, lineEnd, &req->headers[req->numHeaders]) != 0) return -1;
        req->numHeaders++;
    }
}

static int isHeader(const httpHeader *h, const char *name) {
    return h->nameLen == strlen(name) && strncasecmp(h->name, name, h->nameLen) == 0;
}

static int parseDecimal(const char *p, size_t len, size_t *out) {
    size_t v = 0;
    if (len == 0) return -1;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (size_t)(p[i] - '0');
        if (v > MAX_CONTENT_LENGTH) return -1;
    }
    *out = v;
    return 0;
}

int httpGetContentLength(const httpRequest *req, size_t *length) {
    int seen = 0;
    *length = 0;
    for (size_t i = 0; i < req->numHeaders; i++) {
        const httpHeader *h = &req->headers[i];
        size_t v;
        if (!isHeader(h, "Content-Length")) continue;
        if (parseDecimal(h->value, h->valueLen, &v) != 0) return -1;
        if (seen && v != *length) return -1;
        *length = v;
        seen = 1;
    }
    return 0;
}

int httpHasHeader(const httpRequest *req, const char *name) {
    for (size_t i = 0; i < req->numHeaders; i++) {
        if (isHeader(&req->headers[i], name)) return 1;
    }
    return 0;
}

/* True when the comma-separated list holds the token, case-insensitively. */
static int listHasToken(const char *p, size_t len, const char *token) {
    size_t tokenLen = strlen(token);
    const char *end = p + len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
        const char *start = p;
        while (p < end && *p != ',') p++;
        const char *stop = p;
        while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
        if ((size_t)(stop - start) == tokenLen && strncasecmp(start, token, tokenLen) == 0) return 1;
    }
    return 0;
}

int httpWantsKeepAlive(const httpRequest *req) {
    int wantsClose = 0, wantsKeep = 0;
    for (size_t i = 0; i < req->numHeaders; i++) {
        const httpHeader *h = &req->headers[i];
        if (!isHeader(h, "Connection")) continue;
        wantsClose |= listHasToken(h->value, h->valueLen, "close");
        wantsKeep |= listHasToken(h->value, h->valueLen, "keep-alive");
    }
    if (wantsClose) return 0;
    return req->minorVersion >= 1 || wantsKeep;
}
