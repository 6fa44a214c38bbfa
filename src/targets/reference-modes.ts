/** The reference server's modes: how each is described in words. */
import type {ReferenceServerMode} from './server-events.js'

export function describeMode(mode: ReferenceServerMode, acceptDelayUs = 0): string {
  const trigger = mode.trigger === 'et' ? 'edge-triggered' : 'level-triggered'
  const loops = mode.threads === 0 ? 'main loop serves' : `${mode.threads} I/O thread${mode.threads === 1 ? '' : 's'}`
  const delay = acceptDelayUs > 0 ? `, ${acceptDelayUs} µs per accept` : ''
  return `${trigger}, ${loops}, accept ${mode.accept}, read ${mode.read}, backlog ${mode.backlog}${delay}`
}
