import {closeSync, openSync, readSync} from 'node:fs'
import {scanListenRows} from './proc-row-scan.js'
import {setImmediate as nextTurn} from 'node:timers/promises'

/*
 * Reading /proc/net/tcp and tcp6 cheaply. The kernel prints them through seq_file: each read()
 * fills at most one page (4 KiB; more on 64 KiB-page kernels) with whole rows, and the rows come
 * in a fixed order: the listening sockets first, then the established hash table, bucket by
 * bucket. That table has one bucket per few KiB of RAM (262,144 on a 24 GiB host) and walking it
 * costs milliseconds even when it is nearly empty, so what matters is how often a read walks it.
 */

/** seq_file's buffer: one page. Rows that did not fit wait for the next read. */
const SEQ_PAGE = 4096
/** tcp rows are padded to 150 bytes; tcp6 rows vary, under 200. */
const LONGEST_ROW = 256
/** Large enough that only the page, never this buffer, limits a read. */
const WHOLE_READ = 64 * 1024
/**
 * The first read of the LISTEN section when nothing is known yet: the header and two rows. The
 * kernel formats only as many rows as a read asks for (and looks one row ahead), and each row
 * past the listeners costs a walk of the connection table to find it, so the read asks for just
 * enough; later reads ask for what reached the first non-LISTEN row the time before.
 */
const LISTEN_READ = 512

/** What one read of the whole file gave, and the time spent inside read() for it. */
export interface WholeRead {
  /** A view of a buffer the file's next readAll reuses. */
  bytes: Buffer
  busyMs: number
}

/**
 * One open /proc/net/tcp or tcp6, read from the start again on each call: a read at offset 0
 * restarts the kernel's iterator, which spares a sampler an open and a close per sample.
 */
export class ProcNetFile {
  /** Bytes from the start through the first row after the listeners, as of the last read. */
  private listenSectionBytes = LISTEN_READ
  /** Kept between reads, one for each kind: no allocation per sample to collect as garbage. */
  private listenBuffer: Buffer = Buffer.allocUnsafe(4 * LISTEN_READ)
  private wholeBuffer: Buffer = Buffer.alloc(0)

  private constructor(private readonly fd: number) {}

  /** Null when the file does not exist (no tcp6 without IPv6). */
  static open(path: string): ProcNetFile | null {
    try {
      return new ProcNetFile(openSync(path, 'r'))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  /**
   * The whole file, walking the kernel's table once. A plain read-to-EOF walks it twice: the
   * final read that returns 0 finds no saved position and re-walks every bucket to learn it is at
   * the end. A read that left room for another row was cut short by the end of the table, not by
   * the page, so that last read is skipped.
   *
   * Each page is a synchronous read, with a turn of the event loop between pages: a round trip
   * through libuv's thread pool per page costs more CPU than the read itself, and one page blocks
   * the loop for a fraction of a millisecond where the whole file would block it for several.
   */
  async readAll(): Promise<WholeRead> {
    let length = 0
    let busyMs = 0
    for (;;) {
      if (this.wholeBuffer.length - length < WHOLE_READ) this.wholeBuffer = grow(this.wholeBuffer, length + WHOLE_READ)
      const began = performance.now()
      const bytesRead = readSync(this.fd, this.wholeBuffer, length, WHOLE_READ, length)
      busyMs += performance.now() - began
      length += bytesRead
      if (bytesRead === 0 || bytesRead + LONGEST_ROW <= SEQ_PAGE) break
      await nextTurn()
    }
    return {bytes: this.wholeBuffer.subarray(0, length), busyMs}
  }

  /**
   * The header and the listening sockets' rows (plus the few whole rows after them that the last
   * read brought), as a view of a buffer the next call reuses, and `port`'s accept queue in them
   * (null: no LISTEN row for it). Reads stop at the first row that is not LISTEN, so the kernel
   * walks the established table only up to its first socket: a sliver of it while connections
   * exist. Synchronous: it is one small read, and a round trip through libuv's thread pool would
   * cost more than the read itself.
   */
  readListenSection(port: number): {bytes: Buffer; acceptQueue: number | null} {
    let length = 0
    for (;;) {
      // A read gives whole rows up to one page, so one that asks for less than a page minus a row
      // and gets less has reached the end of the file. Sections longer than that (more than
      // about 25 listeners on the host) take several reads.
      const wanted = Math.min(length === 0 ? this.listenSectionBytes : LISTEN_READ, SEQ_PAGE - LONGEST_ROW)
      if (length + wanted > this.listenBuffer.length) this.listenBuffer = grow(this.listenBuffer, length + wanted)
      const bytesRead = readSync(this.fd, this.listenBuffer, length, wanted, length)
      length += bytesRead
      const read = this.listenBuffer.subarray(0, length)
      const {acceptQueue, end} = scanListenRows(read, port)
      if (end !== null) {
        this.listenSectionBytes = end
        return {bytes: read.subarray(0, end), acceptQueue}
      }
      if (bytesRead < wanted) return {bytes: read.subarray(0, read.lastIndexOf(0x0a) + 1), acceptQueue}
    }
  }

  close(): void {
    closeSync(this.fd)
  }
}

/** The whole of /proc/net/tcp or tcp6 (see readAll); null when the file does not exist. */
export async function readProcNetFile(path: string): Promise<string | null> {
  const file = ProcNetFile.open(path)
  if (!file) return null
  try {
    return (await file.readAll()).bytes.toString('latin1')
  } finally {
    file.close()
  }
}

/** A larger buffer holding the first bytes of `buffer`. */
function grow(buffer: Buffer, atLeast: number): Buffer {
  const larger = Buffer.allocUnsafe(Math.max(atLeast, 2 * buffer.length))
  buffer.copy(larger)
  return larger
}
