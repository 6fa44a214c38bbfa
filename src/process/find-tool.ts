import {accessSync, constants} from 'node:fs'
import {delimiter, join} from 'node:path'

/** Finds an executable on PATH without spawning anything; null when it is not there. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this directory: try the next one.
    }
  }
  return null
}
