// Runs `server` from the TypeScript source, as bin/run.js would from dist/, so tests need no build.
import {flush, handle} from '@oclif/core'
import Server from '../../src/commands/server.js'

await Server.run(process.argv.slice(2), import.meta.url).then(() => flush(), handle)
