import {readFileSync} from 'node:fs'

/** TCP service names to ports, as /etc/services lists them (names and aliases). */
export type ServiceNames = ReadonlyMap<string, number>

/** Parses /etc/services text: `name port/proto [aliases...] [# comment]`; tcp entries only. */
export function parseServices(text: string): Map<string, number> {
  const names = new Map<string, number>()
  for (const line of text.split('\n')) {
    const fields = line.split('#')[0]!.trim().split(/\s+/)
    const entry = /^(\d{1,5})\/tcp$/.exec(fields[1] ?? '')
    if (!entry || Number(entry[1]) > 65_535) continue
    for (const name of [fields[0]!, ...fields.slice(2)]) if (!names.has(name)) names.set(name, Number(entry[1]))
  }
  return names
}

let loaded: Map<string, number> | undefined

/**
 * This host's /etc/services (read once; empty when missing). The host that printed the names may
 * list more; a name not found here is reported, never guessed.
 */
export function loadServices(path = '/etc/services'): ServiceNames {
  if (loaded === undefined || path !== '/etc/services') {
    let names: Map<string, number>
    try {
      names = parseServices(readFileSync(path, 'utf8'))
    } catch {
      names = new Map()
    }
    if (path !== '/etc/services') return names
    loaded = names
  }
  return loaded
}

/** A port given as a number or a service name (`8080`, `http-alt`); undefined when neither. */
export function resolvePort(text: string, services: ServiceNames = loadServices()): number | undefined {
  if (/^\d{1,5}$/.test(text)) {
    const port = Number(text)
    return port >= 1 && port <= 65_535 ? port : undefined
  }
  return services.get(text)
}
