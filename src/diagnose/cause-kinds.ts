/**
 * Every cause kind a diagnosis can name, with its why and its fix: the one place they are
 * written. A cause is chosen from what the server's reactor and the accept experiment showed
 * (find-accept-cause.ts, find-read-cause.ts); `unknown` says what could not be seen instead.
 */
export const causeKindTable = {
  'edge-triggered-accept-once': {
    title: 'edge-triggered listener, one accept() per wakeup',
    explanation:
      'The listener is registered with EPOLLET: connections that complete while it is already reported ready make one edge, and an ' +
      'acceptor that calls accept() once per wakeup leaves the rest queued with no further event. accept() takes the oldest, so the queue never shrinks.',
    advice: 'Accept in a loop until accept() fails with EAGAIN, or register the listening socket without EPOLLET.',
  },
  'listener-not-watched': {
    title: 'the listening socket is in no epoll interest list',
    explanation: 'The server still holds its listening socket open, but none of its epoll instances watches it: no wakeup comes for new connections, so they stay in the accept queue.',
    advice: 'Find where the listener leaves epoll (EPOLL_CTL_DEL, or closing the fd it was registered with) and keep it registered; `strace -f -e trace=epoll_ctl -p PID` shows the call.',
  },
  'oneshot-not-rearmed': {
    title: 'an EPOLLONESHOT registration fired and was never re-armed',
    explanation: 'With EPOLLONESHOT the kernel disables a registration after one event; until epoll_ctl(EPOLL_CTL_MOD) re-arms it, nothing more is reported for that socket.',
    advice: 'Re-arm with EPOLL_CTL_MOD after handling each event, on every path (EAGAIN, errors, early returns).',
  },
  'acceptor-not-waiting': {
    title: 'no thread waits on the epoll instance that watches the listener',
    explanation: 'The listener is registered, but the thread that should wait for it is busy or blocked elsewhere, so queued connections wait until it comes back to epoll_wait.',
    advice: 'Keep blocking calls (sleep, locks, disk or DNS I/O) off the event-loop thread: hand them to a worker and return to epoll_wait.',
  },
  'loop-not-waiting': {
    title: 'no thread waits on the epoll instance that watches these connections',
    explanation: 'The connections are registered, but the event-loop thread that serves them is busy or blocked elsewhere, so their bytes wait until it comes back to epoll_wait.',
    advice: 'Keep blocking calls off the event-loop thread: hand them to a worker and return to epoll_wait.',
  },
  'read-interest-missing': {
    title: 'connections registered without EPOLLIN',
    explanation: 'These connections are in the interest list without EPOLLIN (for example EPOLLOUT only, after a partial write): the bytes the client sends are never reported, so its next request is never read.',
    advice: 'Register EPOLLIN again once the write is done (EPOLL_CTL_MOD with EPOLLIN, or keep EPOLLIN|EPOLLOUT while a write is pending).',
  },
  'edge-triggered-read-once': {
    title: 'edge-triggered connections, likely read once per wakeup',
    explanation:
      'The connections are registered with EPOLLET and a thread waits on their epoll instance, yet bytes stay unread: a handler that reads once per wakeup ' +
      'leaves the rest, and no new edge comes until the client sends more.',
    advice: 'With EPOLLET, read until read() fails with EAGAIN (and treat read() == 0 as the peer closing); or register the connections level-triggered.',
  },
  'fd-not-watched': {
    title: 'sockets the server holds but no epoll instance watches',
    explanation: 'The server holds these sockets open, but no epoll instance of it watches them: the loop never hears of their data or of the peer closing.',
    advice: 'Register every accepted socket (check epoll_ctl\'s return value) and close the ones you stop watching.',
  },
  'backlog-too-small': {
    title: 'the accept queue overflowed during the burst, then drained',
    explanation: 'The queue reached its backlog limit while connections arrived and the server accepted them afterwards: the backlog is smaller than the burst, or accept() keeps up too slowly.',
    advice: 'Raise the listen() backlog (and net.core.somaxconn), and accept in a loop until EAGAIN on each wakeup.',
  },
  'server-exited': {
    title: 'the server exited during the run',
    explanation: 'The server process ended before reactor-doctor stopped it; every connection it held was lost with it.',
    advice: 'Read the server\'s own output above (exit code or signal) and run it under a debugger or with core dumps enabled.',
  },
  unknown: {
    title: 'cause not seen',
    explanation: 'What the server\'s event loop does with these sockets could not be seen (the reason is below), so no cause is named.',
    advice: 'See the line above for how to let reactor-doctor see it.',
  },
} as const

export type CauseKind = keyof typeof causeKindTable
export const causeKinds = Object.keys(causeKindTable) as CauseKind[]
