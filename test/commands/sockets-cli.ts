// Runs `sockets` from the TypeScript source, as bin/run.js would from dist/, so tests need no build.
import {flush, handle} from '@oclif/core'
import Sockets from '../../src/commands/sockets.js'

await Sockets.run(process.argv.slice(2), import.meta.url).then(() => flush(), handle)
