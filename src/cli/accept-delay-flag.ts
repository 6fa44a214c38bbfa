import {Flags} from '@oclif/core'
import {UserError} from '../user-error.js'
import {parseMicroseconds} from './parse-duration.js'

/**
 * The reference server's time spent after each accept(), shared by `bench` and `server`. The bare
 * C acceptor takes about 2 µs; a muduo-style one creates a connection object, registers it and
 * hands it to an I/O loop. With the bare one, on 2 cores, the edge-triggered accept bug shows in
 * about half of the runs (measured: 9 of 20); at 50 µs it shows in every run (20 of 20).
 */
export const acceptDelayFlag = Flags.string({
  default: '50us',
  summary: 'Reference server: time spent after each accept(), like a real acceptor setting up a connection (0: the bare C acceptor).',
  description:
    'A muduo-style acceptor creates a connection object, registers it and hands it to an I/O loop for each accept; the bare C acceptor ' +
    'takes about 2 µs, fast enough that on 2 cores the edge-triggered accept bug shows in only about half of the runs. ' +
    '50 µs per accept makes it show in every run. Accepts e.g. 0, 50us, 0.2ms.',
})

/** The flag's value in µs; the reference server takes at most a second. */
export function parseAcceptDelay(text: string): number {
  const us = parseMicroseconds(text, '--accept-delay')
  if (us > 1_000_000) throw new UserError(`--accept-delay ${text} is more than the reference server takes (1s)`, 'use e.g. 50us or 1ms')
  return us
}
