import {findFreePort} from '../../src/targets/free-port.js'

/**
 * A loopback port nothing listens on, for a connection meant to be refused or a server a test
 * starts itself: bench's own pick, below the ephemeral range, so a test file running beside this
 * one never gets it from a port-0 bind and none of its servers gets a stray client.
 */
export function findClosedPort(): Promise<number> {
  return findFreePort('127.0.0.1')
}
