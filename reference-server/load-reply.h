/* load-reply.h -- how rd-load reads the answers on one connection: HTTP/1.x responses (framed by
 * Content-Length, chunked, or the close), or an exact reply (an echo, a line protocol's answer).
 *
 * The same semantics and error messages as src/load/http-response-parser.ts and the
 * ExactReplyReader of src/load/protocol.ts, so both engines report a wrong answer alike. Bodies
 * are counted, never stored; only an incomplete response head is copied. */
#ifndef RS_LOAD_REPLY_H
#define RS_LOAD_REPLY_H

#include <stddef.h>
#include <stdint.h>

#define REPLY_MAX_HEAD_BYTES (64 * 1024)
#define REPLY_ERROR_BYTES 1024
#define REPLY_QUOTE_BYTES 256

typedef enum { REPLY_HTTP, REPLY_EXACT } replyKind;

/* Called once per complete answer. A nonzero return stops the feed (the connection was closed). */
typedef int (*replyCallback)(void *ctx, int status, int keepAlive);

typedef struct replyReader {
    replyKind kind;
    /* exact */
    const unsigned char *expected;
    size_t expectedLen;
    size_t matched;
    int exactKeepAlive;
    /* http */
    int state;
    unsigned char *pending; /* an incomplete head */
    size_t pendingLen;
    int status;
    int64_t contentLength;
    int chunked;
    int headKeepAlive;
    int keepAlive;
    uint64_t remaining;
    uint64_t chunkSize;
    size_t trailerLineLength;
    /* why the last replyFeed returned -1 */
    char error[REPLY_ERROR_BYTES];
} replyReader;

void replyInitHttp(replyReader *reader);
void replyInitExact(replyReader *reader, const unsigned char *expected, size_t len, int keepAlive);

/* Feeds buf[0, len). Returns 0, 1 when the callback stopped it, or -1 on a wrong answer (why in
 * reader->error). */
int replyFeed(replyReader *reader, const unsigned char *buf, size_t len, replyCallback onReply, void *ctx);

/* The server closed the connection: completes a response whose body ends at the close. */
void replyFinish(replyReader *reader, replyCallback onReply, void *ctx);

void replyFree(replyReader *reader);

/* JSON.stringify of bytes read as latin1, as UTF-8, NUL-terminated in out (at most 40 bytes
 * shown, then "..." when ellipsis is set and there were more). */
void replyQuote(char *out, size_t outSize, const unsigned char *bytes, size_t len, int ellipsis);

#endif
