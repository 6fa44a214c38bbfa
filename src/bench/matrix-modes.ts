import type {ReferenceServerMode} from '../targets/reference-server.js'

export interface MatrixMode {
  label: string
  mode: ReferenceServerMode
}

/**
 * The modes that answer the seed's question: edge- vs level-triggered, with and without I/O
 * threads, one accept per wakeup; then the edge-triggered fix (accept until EAGAIN).
 * Reads are drained in every mode so that only the accept strategy differs.
 */
export function matrixModes(threads: number, backlog: number, protocol: ReferenceServerMode['protocol'] = 'http'): MatrixMode[] {
  const mode = (trigger: 'et' | 'lt', n: number, accept: 'once' | 'drain'): MatrixMode => ({
    label: `${trigger} ${n === 0 ? 'single-thread' : `${n} I/O threads`} accept ${accept}`,
    mode: {trigger, threads: n, accept, read: 'drain', backlog, protocol},
  })
  return [
    mode('lt', 0, 'once'),
    mode('lt', threads, 'once'),
    mode('et', 0, 'once'),
    mode('et', threads, 'once'),
    mode('et', threads, 'drain'),
  ]
}
