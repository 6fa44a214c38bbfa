/* http.h -- a stateless HTTP/1.x request-head parser in the manner of picohttpparser.
 *
 * The parser never copies: every name and value is a pointer/length pair into the caller's
 * buffer, valid as long as that buffer is. */
#ifndef RS_HTTP_H
#define RS_HTTP_H

#include <stddef.h>

#define HTTP_MAX_HEADERS 64

typedef struct httpHeader {
    const char *name;
    size_t nameLen;
    const char *value;
    size_t valueLen;
} httpHeader;

typedef struct httpRequest {
    const char *method;
    size_t methodLen;
    const char *path;
    size_t pathLen;
    int minorVersion; /* HTTP/1.<minorVersion> */
    httpHeader headers[HTTP_MAX_HEADERS];
    size_t numHeaders;
} httpRequest;

/* Parses the request line and headers at the start of buf. Returns the bytes they take
 * (including the empty line and any leading blank lines), -2 when buf holds only part of them,
 * or -1 when they are malformed (also: more than HTTP_MAX_HEADERS headers). LF alone is accepted
 * as a line end. */
int httpParseRequest(const char *buf, size_t len, httpRequest *req);

/* Sets *length to the Content-Length (0 when absent). Returns 0, or -1 when the value is not a
 * number or two headers disagree. */
int httpGetContentLength(const httpRequest *req, size_t *length);

/* Returns 1 when the header is present (name compared case-insensitively), else 0. */
int httpHasHeader(const httpRequest *req, const char *name);

/* Returns 1 when the connection should stay open after the response: HTTP/1.1 unless
 * "Connection: close", HTTP/1.0 only with "Connection: keep-alive". */
int httpWantsKeepAlive(const httpRequest *req);

#endif
