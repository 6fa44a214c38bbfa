// Spawns an owned `sleep` and prints its pid, then dies as argv[2] says: 'throw' (an uncaught
// error), 'signal' (waits for a signal) or 'exit' (process.exit(3)).
import {spawnOwned} from '../../src/process/owned-process.js'

const child = spawnOwned('sleep', ['60'])
console.log(child.pid)
const how = process.argv[2]
if (how === 'throw') setTimeout(() => { throw new Error('boom') }, 100)
if (how === 'exit') setTimeout(() => process.exit(3), 100)
if (how === 'signal') setInterval(() => {}, 1000)
