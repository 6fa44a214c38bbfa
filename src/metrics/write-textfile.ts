import {rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

/**
 * Writes node_exporter textfile output atomically: a temp file in the same directory (the same
 * filesystem, so rename is atomic), then rename over the target. The collector reads only
 * `*.prom` files, and the temp name ends in `.tmp`, so it never sees a half-written file.
 */
export async function writeTextfile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)
  try {
    await writeFile(temp, text)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}
