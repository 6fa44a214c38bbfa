/* load-reply.c -- see load-reply.h. A port of src/load/http-response-parser.ts (less its
 * repeated-head shortcut, which C does not need) and of protocol.ts's ExactReplyReader. */
#include "load-reply.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HEAD, LENGTH_BODY, CHUNK_SIZE, CHUNK_EXTENSION, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF, TRAILER, UNTIL_CLOSE };

#define CR 13
#define LF 10
#define MAX_SAFE_INTEGER 9007199254740991ULL
/* parseHead's results besides an offset */
#define HEAD_INCOMPLETE (-1)
#define HEAD_INVALID (-2)

static void setError(replyReader *r, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(r->error, sizeof r->error, format, args);
    va_end(args);
}

void replyQuote(char *out, size_t outSize, const unsigned char *bytes, size_t len, int ellipsis) {
    size_t shown = len > 40 ? 40 : len, at = 0;
    /* 40 bytes of at most 6 characters each, the quotes, "..." and the NUL fit in 256 */
    if (outSize < REPLY_QUOTE_BYTES) {
        if (outSize > 0) out[0] = '\0';
        return;
    }
    out[at++] = '"';
    for (size_t i = 0; i < shown; i++) {
        unsigned char b = bytes[i];
        const char *escape = NULL;
        switch (b) {
        case '"': escape = "\\\""; break;
        case '\\': escape = "\\\\"; break;
        case '\b': escape = "\\b"; break;
        case '\f': escape = "\\f"; break;
        case '\n': escape = "\\n"; break;
        case '\r': escape = "\\r"; break;
        case '\t': escape = "\\t"; break;
        default: break;
        }
        if (escape) {
            memcpy(out + at, escape, 2);
            at += 2;
        } else if (b < 0x20) {
            at += (size_t)snprintf(out + at, 7, "\\u%04x", b);
        } else if (b < 0x80) {
            out[at++] = (char)b;
        } else { /* latin1 U+0080-U+00FF, written as UTF-8 */
            out[at++] = (char)(0xc0 | (b >> 6));
            out[at++] = (char)(0x80 | (b & 0x3f));
        }
    }
    out[at++] = '"';
    if (ellipsis && len > 40) {
        memcpy(out + at, "...", 3);
        at += 3;
    }
    out[at] = '\0';
}

void replyInitHttp(replyReader *r) {
    memset(r, 0, sizeof *r);
    r->kind = REPLY_HTTP;
    r->state = HEAD;
    r->contentLength = -1;
    r->headKeepAlive = 1;
    r->keepAlive = 1;
}

void replyInitExact(replyReader *r, const unsigned char *expected, size_t len, int keepAlive) {
    memset(r, 0, sizeof *r);
    r->kind = REPLY_EXACT;
    r->expected = expected;
    r->expectedLen = len;
    r->exactKeepAlive = keepAlive;
}

void replyFree(replyReader *r) {
    free(r->pending);
    r->pending = NULL;
    r->pendingLen = 0;
}

static int isDigit(unsigned char b) { return b >= '0' && b <= '9'; }

static int hexValue(unsigned char b) {
    if (isDigit(b)) return b - '0';
    unsigned char lower = b | 0x20;
    if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
    return -1;
}

static long findLineFeed(const unsigned char *buf, size_t start, size_t end) {
    if (start >= end) return -1;
    const unsigned char *at = memchr(buf + start, LF, end - start);
    return at ? (long)(at - buf) : -1;
}

static size_t skipSpaces(const unsigned char *buf, size_t start, size_t end) {
    while (start < end && (buf[start] == ' ' || buf[start] == '\t')) start++;
    return start;
}

static size_t trimSpacesEnd(const unsigned char *buf, size_t start, size_t end) {
    while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t')) end--;
    return end;
}

/* Case-insensitive compare of buf at `at` with a lower-case ASCII word. */
static int equalsLower(const unsigned char *buf, size_t at, const char *word) {
    for (size_t i = 0; word[i]; i++)
        if ((buf[at + i] | 0x20) != (unsigned char)word[i]) return 0;
    return 1;
}

static int isHeader(const unsigned char *buf, size_t line, size_t lineEnd, const char *name) {
    size_t len = strlen(name);
    return line + len < lineEnd && buf[line + len] == ':' && equalsLower(buf, line, name);
}

/* Whether the comma-separated list in buf[start, end) holds token (case-insensitive). */
static int hasToken(const unsigned char *buf, size_t start, size_t end, const char *token) {
    size_t tokenLen = strlen(token), itemStart = start;
    while (itemStart < end) {
        size_t itemEnd = itemStart;
        while (itemEnd < end && buf[itemEnd] != ',') itemEnd++;
        size_t from = skipSpaces(buf, itemStart, itemEnd);
        size_t to = trimSpacesEnd(buf, from, itemEnd);
        if (to - from == tokenLen && equalsLower(buf, from, token)) return 1;
        itemStart = itemEnd + 1;
    }
    return 0;
}

static int parseDecimal(replyReader *r, const unsigned char *buf, size_t start, size_t end, int64_t *out) {
    if (start == end) {
        setError(r, "empty Content-Length");
        return -1;
    }
    uint64_t value = 0;
    int tooLarge = 0;
    for (size_t i = start; i < end; i++) {
        if (!isDigit(buf[i])) {
            setError(r, "invalid Content-Length");
            return -1;
        }
        if (value > MAX_SAFE_INTEGER) tooLarge = 1;
        else value = value * 10 + (uint64_t)(buf[i] - '0');
    }
    if (tooLarge || value > MAX_SAFE_INTEGER) {
        setError(r, "Content-Length too large");
        return -1;
    }
    *out = (int64_t)value;
    return 0;
}

/* The head starting at buf[start], never looking at or past end. Returns the offset past the
 * CRLF CRLF that ends it, HEAD_INCOMPLETE, or HEAD_INVALID (why in r->error). Nothing in r
 * changes until it is complete. */
static long parseHead(replyReader *r, const unsigned char *buf, size_t start, size_t end) {
    long statusEnd = findLineFeed(buf, start, end);
    if (statusEnd < 0) return HEAD_INCOMPLETE;
    size_t lineLen = (size_t)statusEnd - start;
    int ok = lineLen >= 12 && memcmp(buf + start, "HTTP/1.", 7) == 0 && isDigit(buf[start + 7]) &&
             buf[start + 8] == ' ' && isDigit(buf[start + 9]) && isDigit(buf[start + 10]) && isDigit(buf[start + 11]);
    if (!ok) {
        char quoted[REPLY_QUOTE_BYTES];
        replyQuote(quoted, sizeof quoted, buf + start, lineLen > 40 ? 40 : lineLen, 0);
        setError(r, "invalid status line: %s", quoted);
        return HEAD_INVALID;
    }
    int minor = buf[start + 7] - '0';
    int64_t contentLength = -1;
    int chunked = 0, close = 0, keepAliveToken = 0;
    size_t line = (size_t)statusEnd + 1;
    for (;;) {
        long found = findLineFeed(buf, line, end);
        if (found < 0) return HEAD_INCOMPLETE;
        size_t lineEnd = (size_t)found;
        if (lineEnd == line + 1 && buf[line] == CR && buf[line - 2] == CR) break;
        size_t valueEnd = buf[lineEnd - 1] == CR ? lineEnd - 1 : lineEnd;
        unsigned char first = buf[line] | 0x20;
        if (first == 'c' && isHeader(buf, line, valueEnd, "content-length")) {
            size_t value = skipSpaces(buf, line + 15, valueEnd);
            if (parseDecimal(r, buf, value, trimSpacesEnd(buf, value, valueEnd), &contentLength) != 0) return HEAD_INVALID;
        } else if (first == 'c' && isHeader(buf, line, valueEnd, "connection")) {
            size_t value = skipSpaces(buf, line + 11, valueEnd);
            close = close || hasToken(buf, value, valueEnd, "close");
            keepAliveToken = keepAliveToken || hasToken(buf, value, valueEnd, "keep-alive");
        } else if (first == 't' && isHeader(buf, line, valueEnd, "transfer-encoding")) {
            /* the last coding decides how the body is framed */
            size_t trimmedEnd = trimSpacesEnd(buf, line, valueEnd);
            chunked = equalsLower(buf, trimmedEnd - 7, "chunked");
        }
        line = lineEnd + 1;
    }
    r->status = (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
    r->contentLength = contentLength;
    r->chunked = chunked;
    r->headKeepAlive = !close && (minor >= 1 || keepAliveToken);
    return (long)(line + 2);
}

/* Ends the current answer; returns the callback's result. */
static int complete(replyReader *r, replyCallback onReply, void *ctx) {
    r->state = HEAD;
    return onReply(ctx, r->status, r->keepAlive);
}

/* Enters the body the current head announced. Returns the callback's result if it completed. */
static int startBody(replyReader *r, replyCallback onReply, void *ctx) {
    int status = r->status;
    r->keepAlive = r->headKeepAlive;
    if (status >= 100 && status < 200 && status != 101) {
        r->state = HEAD; /* interim response: the final one follows */
    } else if (status == 204 || status == 304 || status == 101) {
        return complete(r, onReply, ctx);
    } else if (r->chunked) {
        r->chunkSize = 0;
        r->state = CHUNK_SIZE;
    } else if (r->contentLength >= 0) {
        r->remaining = (uint64_t)r->contentLength;
        if (r->contentLength == 0) return complete(r, onReply, ctx);
        r->state = LENGTH_BODY;
    } else {
        r->keepAlive = 0;
        r->state = UNTIL_CLOSE;
    }
    return 0;
}

static int keepPartialHead(replyReader *r, const unsigned char *bytes, size_t len, int alreadyPending) {
    if (len > REPLY_MAX_HEAD_BYTES) {
        setError(r, "response head larger than %d bytes", REPLY_MAX_HEAD_BYTES);
        return -1;
    }
    if (!alreadyPending) {
        free(r->pending);
        r->pending = malloc(len ? len : 1);
        if (!r->pending) {
            setError(r, "out of memory");
            return -1;
        }
        memcpy(r->pending, bytes, len);
    }
    r->pendingLen = len;
    return 0;
}

/* Reads a head at buf[*pos, end): advances *pos; returns 0, 1 (stopped) or -1. */
static int readHead(replyReader *r, const unsigned char *buf, size_t *pos, size_t end, replyCallback onReply, void *ctx) {
    if (r->pending == NULL) {
        long headEnd = parseHead(r, buf, *pos, end);
        if (headEnd == HEAD_INVALID) return -1;
        if (headEnd == HEAD_INCOMPLETE) {
            int kept = keepPartialHead(r, buf + *pos, end - *pos, 0);
            *pos = end;
            return kept;
        }
        *pos = (size_t)headEnd;
        return startBody(r, onReply, ctx);
    }
    size_t before = r->pendingLen, add = end - *pos;
    unsigned char *joined = realloc(r->pending, before + add);
    if (!joined) {
        setError(r, "out of memory");
        return -1;
    }
    memcpy(joined + before, buf + *pos, add);
    r->pending = joined;
    long headEnd = parseHead(r, joined, 0, before + add);
    if (headEnd == HEAD_INVALID) return -1;
    if (headEnd == HEAD_INCOMPLETE) {
        *pos = end;
        return keepPartialHead(r, joined, before + add, 1);
    }
    replyFree(r);
    *pos += (size_t)headEnd - before;
    return startBody(r, onReply, ctx);
}

static int endChunkSizeLine(replyReader *r) {
    if (r->chunkSize == 0) {
        r->trailerLineLength = 0;
        r->state = TRAILER;
    } else {
        r->remaining = r->chunkSize;
        r->state = CHUNK_DATA;
    }
    return 0;
}

/* One byte of chunk-size lines, the CRLF after each chunk, or the trailer section. */
static int readChunkFramingByte(replyReader *r, unsigned char b, replyCallback onReply, void *ctx) {
    switch (r->state) {
    case CHUNK_SIZE: {
        int digit = hexValue(b);
        if (digit >= 0) {
            r->chunkSize = r->chunkSize * 16 + (uint64_t)digit;
            if (r->chunkSize > MAX_SAFE_INTEGER / 16) {
                setError(r, "chunk size too large");
                return -1;
            }
        } else if (b == LF) {
            return endChunkSizeLine(r);
        } else if (b == CR || b == ';' || b == ' ' || b == '\t') {
            r->state = CHUNK_EXTENSION;
        } else {
            setError(r, "invalid chunk size");
            return -1;
        }
        return 0;
    }
    case CHUNK_EXTENSION:
        if (b == LF) return endChunkSizeLine(r);
        return 0;
    case CHUNK_DATA_CR:
        if (b == LF) r->state = CHUNK_SIZE;
        else if (b == CR) r->state = CHUNK_DATA_LF;
        else {
            setError(r, "missing CRLF after chunk data");
            return -1;
        }
        r->chunkSize = 0;
        return 0;
    case CHUNK_DATA_LF:
        if (b != LF) {
            setError(r, "missing CRLF after chunk data");
            return -1;
        }
        r->state = CHUNK_SIZE;
        return 0;
    case TRAILER:
        if (b == LF) {
            int was = r->trailerLineLength == 0;
            r->trailerLineLength = 0;
            if (was) return complete(r, onReply, ctx);
        } else if (b != CR) {
            r->trailerLineLength++;
        }
        return 0;
    default:
        return 0;
    }
}

static int feedHttp(replyReader *r, const unsigned char *buf, size_t len, replyCallback onReply, void *ctx) {
    size_t pos = 0;
    while (pos < len) {
        int result = 0;
        switch (r->state) {
        case HEAD:
            result = readHead(r, buf, &pos, len, onReply, ctx);
            break;
        case LENGTH_BODY:
        case CHUNK_DATA: {
            uint64_t take = len - pos < r->remaining ? len - pos : r->remaining;
            r->remaining -= take;
            pos += (size_t)take;
            if (r->remaining == 0) {
                if (r->state == CHUNK_DATA) r->state = CHUNK_DATA_CR;
                else result = complete(r, onReply, ctx);
            }
            break;
        }
        case UNTIL_CLOSE:
            return 0;
        default:
            while (pos < len && r->state != CHUNK_DATA && r->state != HEAD && result == 0)
                result = readChunkFramingByte(r, buf[pos++], onReply, ctx);
        }
        if (result != 0) return result;
    }
    return 0;
}

static int feedExact(replyReader *r, const unsigned char *buf, size_t len, replyCallback onReply, void *ctx) {
    size_t at = 0;
    while (at < len) {
        size_t take = len - at < r->expectedLen - r->matched ? len - at : r->expectedLen - r->matched;
        if (memcmp(r->expected + r->matched, buf + at, take) != 0) {
            char due[REPLY_QUOTE_BYTES], got[REPLY_QUOTE_BYTES];
            replyQuote(due, sizeof due, r->expected + r->matched, take, 1);
            replyQuote(got, sizeof got, buf + at, take, 1);
            setError(r, "expected %s at byte %zu of the answer, got %s", due, r->matched, got);
            return -1;
        }
        at += take;
        r->matched += take;
        if (r->matched == r->expectedLen) {
            r->matched = 0;
            if (onReply(ctx, 200, r->exactKeepAlive)) return 1;
        }
    }
    return 0;
}

int replyFeed(replyReader *r, const unsigned char *buf, size_t len, replyCallback onReply, void *ctx) {
    return r->kind == REPLY_HTTP ? feedHttp(r, buf, len, onReply, ctx) : feedExact(r, buf, len, onReply, ctx);
}

void replyFinish(replyReader *r, replyCallback onReply, void *ctx) {
    if (r->kind == REPLY_HTTP && r->state == UNTIL_CLOSE) complete(r, onReply, ctx);
}
