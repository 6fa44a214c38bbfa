/*
 * Deliberately buggy epoll HTTP/1.1 keep-alive servers, one bug per run, for the tests of the
 * reactor diagnosis (issue 11). Single thread, no libraries.
 *
 * Usage: reactor-bugs --bug NAME [--port N] [--after K]
 *   --port N   listen on 127.0.0.1:N (0, the default: any free port); the bound port is printed
 *              on stdout on its own line, then the server runs until SIGTERM or SIGINT (exit 0).
 *   --after K  how many connections are served correctly before the bug shows (default 5).
 *   --bug NAME one of:
 *     unwatch-listener  level-triggered listener; once K connections have been accepted it calls
 *                       epoll_ctl(EPOLL_CTL_DEL) on the listener (keeps it open and keeps serving
 *                       the accepted connections): new connections pile up in the accept queue.
 *     oneshot-listener  listener registered EPOLLIN|EPOLLONESHOT, re-armed with EPOLL_CTL_MOD after
 *                       each wakeup, until K connections have been accepted: then it is never
 *                       re-armed (its fdinfo shows `events: 40000000`).
 *     epollout-only     accepts correctly; every response has a 256 KiB body and each accepted
 *                       socket gets SO_SNDBUF 4096; a response is written with one send() of at
 *                       most 64 KiB, so it is always partial: then the connection is
 *                       re-registered EPOLLOUT|EPOLLET only, the write finishes on
 *                       EPOLLOUT, and then, on connections after the first K, EPOLLIN is never
 *                       armed again: the next keep-alive request sits unread (events 80000004).
 *
 * Every request (anything ending in CRLF CRLF, plus a Content-Length body) is answered
 * `200 OK` with Content-Length and `Connection: keep-alive` (`Connection: close`, then a close, for
 * an HTTP/1.0 request without keep-alive or a `Connection: close` request).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum bug { BUG_UNWATCH_LISTENER, BUG_ONESHOT_LISTENER, BUG_EPOLLOUT_ONLY };

#define MAX_REQUEST (16u << 20)
#define SMALL_BODY "ok\n"
#define LARGE_BODY_LEN (256u << 10)
#define WRITE_CHUNK (64u << 10)

struct conn {
	int fd;
	unsigned long serial; /* accept order, from 0 */
	char *in;
	size_t in_len, in_cap;
	const char *out; /* a response being written, or NULL */
	size_t out_len, out_off;
	int close_after; /* close once `out` is written */
	int waiting_out; /* registered EPOLLOUT|EPOLLET for the rest of `out` */
};

struct response {
	char *bytes;
	size_t len;
};

static enum bug bug;
static unsigned long after = 5;
static int epfd = -1, listener = -1;
static unsigned long accepted; /* connections accepted so far */
static struct conn **conns;    /* by fd */
static size_t conns_cap;
static struct response keep_alive, closing;

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void usage(const char *message)
{
	fprintf(stderr, "reactor-bugs: %s\nusage: reactor-bugs --bug unwatch-listener|oneshot-listener|epollout-only [--port N] [--after K]\n", message);
	exit(2);
}

static unsigned long parse_number(const char *flag, const char *text, unsigned long max)
{
	char *end;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || value > max) {
		fprintf(stderr, "reactor-bugs: %s wants a number from 0 to %lu, got '%s'\n", flag, max, text);
		exit(2);
	}
	return value;
}

static void build_response(struct response *r, const char *connection, size_t body_len)
{
	char head[160];
	int head_len = snprintf(head, sizeof head,
				"HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n%sConnection: %s\r\n\r\n", body_len,
				strcmp(connection, "keep-alive") == 0 ? "Keep-Alive: timeout=5\r\n" : "", connection);
	r->len = (size_t)head_len + body_len;
	r->bytes = malloc(r->len);
	if (!r->bytes)
		die("malloc");
	memcpy(r->bytes, head, (size_t)head_len);
	if (body_len == strlen(SMALL_BODY))
		memcpy(r->bytes + head_len, SMALL_BODY, body_len);
	else
		memset(r->bytes + head_len, 'x', body_len);
}

static void set_interest(int fd, int op, unsigned events)
{
	struct epoll_event ev = {.events = events, .data.fd = fd};
	if (epoll_ctl(epfd, op, fd, &ev) < 0)
		die("epoll_ctl");
}

static void close_conn(struct conn *c)
{
	conns[c->fd] = NULL;
	close(c->fd); /* also leaves the interest list */
	free(c->in);
	free(c);
}

/* The value of a header in [start, end), case-insensitive name; NULL when absent. */
static const char *header(const char *start, const char *end, const char *name, size_t *value_len)
{
	size_t name_len = strlen(name);
	const char *line = memchr(start, '\n', (size_t)(end - start)); /* skip the request line */
	while (line && line + 1 < end) {
		line++;
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			break;
		if ((size_t)(eol - line) > name_len && line[name_len] == ':' && strncasecmp(line, name, name_len) == 0) {
			const char *v = line + name_len + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			const char *v_end = eol;
			while (v_end > v && (v_end[-1] == '\r' || v_end[-1] == ' ' || v_end[-1] == '\t'))
				v_end--;
			*value_len = (size_t)(v_end - v);
			return v;
		}
		line = eol;
	}
	return NULL;
}

static int contains_token(const char *v, size_t len, const char *token)
{
	size_t token_len = strlen(token);
	for (size_t i = 0; i + token_len <= len; i++)
		if (strncasecmp(v + i, token, token_len) == 0)
			return 1;
	return 0;
}

/*
 * If a whole request is buffered: consume it, set the response, return 1. 0 when more bytes are
 * needed, -1 for a request that cannot be served (the connection is closed).
 */
static int take_request(struct conn *c)
{
	char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
	if (!end)
		return c->in_len > 65536 ? -1 : 0;
	size_t head_len = (size_t)(end - c->in) + 4;
	size_t body_len = 0, len;
	const char *v = header(c->in, end + 2, "Content-Length", &len);
	if (v) {
		char number[24];
		if (len == 0 || len >= sizeof number)
			return -1;
		memcpy(number, v, len);
		number[len] = '\0';
		char *number_end;
		errno = 0;
		unsigned long long n = strtoull(number, &number_end, 10);
		if (errno || *number_end || number[0] == '-' || n > MAX_REQUEST)
			return -1;
		body_len = (size_t)n;
	}
	if (c->in_len < head_len + body_len)
		return 0;

	const char *line_end = memchr(c->in, '\n', head_len);
	int http10 = line_end && line_end - c->in >= 9 && memcmp(line_end - 9, "HTTP/1.0", 8) == 0;
	const char *connection = header(c->in, end + 2, "Connection", &len);
	int keep = connection ? (contains_token(connection, len, "keep-alive") ||
				 (!http10 && !contains_token(connection, len, "close")))
			      : !http10;
	const struct response *r = keep ? &keep_alive : &closing;
	c->out = r->bytes;
	c->out_len = r->len;
	c->out_off = 0;
	c->close_after = !keep;

	memmove(c->in, c->in + head_len + body_len, c->in_len - head_len - body_len);
	c->in_len -= head_len + body_len;
	return 1;
}

/*
 * Writes `out` in send() calls of at most WRITE_CHUNK bytes: 1 when all of it is written, 0 when
 * the rest must wait for EPOLLOUT, -1 on an error. `once`: a single send(), so a response larger
 * than WRITE_CHUNK is always left partial, whatever the timing (the client reading concurrently
 * on another CPU could otherwise let a loop of sends finish before any EAGAIN).
 */
static int write_out(struct conn *c, int once)
{
	while (c->out_off < c->out_len) {
		size_t left = c->out_len - c->out_off;
		ssize_t n = send(c->fd, c->out + c->out_off, left < WRITE_CHUNK ? left : WRITE_CHUNK, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out_off += (size_t)n;
		if (once && c->out_off < c->out_len)
			return 0;
	}
	c->out = NULL;
	return 1;
}

/* Answers the buffered requests in order until one cannot be written at once. */
static void serve(struct conn *c)
{
	for (;;) {
		if (!c->out) {
			int taken = take_request(c);
			if (taken < 0) {
				close_conn(c);
				return;
			}
			if (taken == 0)
				return;
		}
		int written = write_out(c, 1);
		if (written < 0) {
			close_conn(c);
			return;
		}
		if (written == 0) {
			/* A partial write: the rest goes out on EPOLLOUT, edge-triggered so a writable socket does not spin. */
			set_interest(c->fd, EPOLL_CTL_MOD, EPOLLOUT | EPOLLET);
			c->waiting_out = 1;
			return;
		}
		if (c->close_after) {
			close_conn(c);
			return;
		}
	}
}

static void on_readable(struct conn *c)
{
	for (;;) {
		if (c->in_cap - c->in_len < 4096) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
			if (cap > MAX_REQUEST + 65536) {
				close_conn(c);
				return;
			}
			char *in = realloc(c->in, cap);
			if (!in)
				die("realloc");
			c->in = in;
			c->in_cap = cap;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n == 0) {
			close_conn(c);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			close_conn(c);
			return;
		}
		c->in_len += (size_t)n;
	}
	serve(c);
}

static void on_writable(struct conn *c)
{
	if (!c->out)
		return; /* a wakeup with nothing left to write (for instance the peer's FIN) */
	int written = write_out(c, 0);
	if (written < 0) {
		close_conn(c);
		return;
	}
	if (written == 0)
		return; /* still EPOLLOUT|EPOLLET: the next wakeup continues */
	if (c->close_after) {
		close_conn(c);
		return;
	}
	if (bug == BUG_EPOLLOUT_ONLY && c->serial >= after)
		return; /* THE BUG: the response is out, but EPOLLIN is never armed again */
	set_interest(c->fd, EPOLL_CTL_MOD, EPOLLIN);
	c->waiting_out = 0;
	serve(c); /* requests already buffered */
}

static void add_conn(int fd)
{
	if ((size_t)fd >= conns_cap) {
		size_t cap = conns_cap ? conns_cap : 64;
		while (cap <= (size_t)fd)
			cap *= 2;
		struct conn **grown = realloc(conns, cap * sizeof *conns);
		if (!grown)
			die("realloc");
		memset(grown + conns_cap, 0, (cap - conns_cap) * sizeof *conns);
		conns = grown;
		conns_cap = cap;
	}
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		die("calloc");
	c->fd = fd;
	c->serial = accepted - 1;
	conns[fd] = c;
	if (bug == BUG_EPOLLOUT_ONLY) {
		int size = 4096;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) < 0)
			die("setsockopt SO_SNDBUF");
	}
	set_interest(fd, EPOLL_CTL_ADD, EPOLLIN);
}

/* Accepts until EAGAIN, or until the bug's K connections are reached. */
static void on_listener(void)
{
	int limited = bug == BUG_UNWATCH_LISTENER || bug == BUG_ONESHOT_LISTENER;
	for (;;) {
		if (limited && accepted >= after)
			break;
		int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				perror("accept4");
			break;
		}
		accepted++;
		add_conn(fd);
	}
	if (bug == BUG_UNWATCH_LISTENER && accepted >= after) {
		/* THE BUG: the listener leaves the interest list, still open and listening. */
		set_interest(listener, EPOLL_CTL_DEL, 0);
	} else if (bug == BUG_ONESHOT_LISTENER && accepted < after) {
		set_interest(listener, EPOLL_CTL_MOD, EPOLLIN | EPOLLONESHOT);
	} /* oneshot after K: THE BUG, never re-armed */
}

int main(int argc, char **argv)
{
	unsigned long port = 0;
	const char *bug_name = NULL;
	for (int i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage(strncmp(argv[i], "--", 2) == 0 ? "an option is missing its value" : "unexpected argument");
		if (strcmp(argv[i], "--port") == 0)
			port = parse_number("--port", argv[++i], 65535);
		else if (strcmp(argv[i], "--after") == 0)
			after = parse_number("--after", argv[++i], 1000000000);
		else if (strcmp(argv[i], "--bug") == 0)
			bug_name = argv[++i];
		else
			usage("unknown option");
	}
	if (!bug_name)
		usage("--bug is required");
	if (strcmp(bug_name, "unwatch-listener") == 0)
		bug = BUG_UNWATCH_LISTENER;
	else if (strcmp(bug_name, "oneshot-listener") == 0)
		bug = BUG_ONESHOT_LISTENER;
	else if (strcmp(bug_name, "epollout-only") == 0)
		bug = BUG_EPOLLOUT_ONLY;
	else
		usage("unknown --bug");

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	size_t body_len = bug == BUG_EPOLLOUT_ONLY ? LARGE_BODY_LEN : strlen(SMALL_BODY);
	build_response(&keep_alive, "keep-alive", body_len);
	build_response(&closing, "close", body_len);

	listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (listener < 0)
		die("socket");
	int one = 1;
	if (setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		die("setsockopt SO_REUSEADDR");
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind");
	if (listen(listener, 128) < 0)
		die("listen");
	socklen_t addr_len = sizeof addr;
	if (getsockname(listener, (struct sockaddr *)&addr, &addr_len) < 0)
		die("getsockname");

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");
	set_interest(listener, EPOLL_CTL_ADD, bug == BUG_ONESHOT_LISTENER ? EPOLLIN | EPOLLONESHOT : EPOLLIN);

	printf("%u\n", (unsigned)ntohs(addr.sin_port));
	fflush(stdout);

	struct epoll_event events[64];
	for (;;) {
		int n = epoll_wait(epfd, events, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (int i = 0; i < n; i++) {
			int fd = events[i].data.fd;
			if (fd == listener) {
				on_listener();
				continue;
			}
			struct conn *c = (size_t)fd < conns_cap ? conns[fd] : NULL;
			if (!c)
				continue; /* closed earlier in this batch */
			if (c->waiting_out)
				on_writable(c);
			else
				on_readable(c);
		}
	}
}
