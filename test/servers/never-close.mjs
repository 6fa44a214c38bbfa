#!/usr/bin/env node
// Accepts, answers each HTTP request with a keep-alive 200, and never closes after the peer's
// FIN: allowHalfOpen keeps our side open and 'end' is ignored, so sockets stay in CLOSE-WAIT.
// Usage: never-close.mjs [--port N] [--host ADDR]. Prints the bound port, runs until SIGTERM/SIGINT.
import net from 'node:net'
import {parseArgs} from 'node:util'

const {values} = parseArgs({options: {port: {type: 'string', default: '0'}, host: {type: 'string', default: '127.0.0.1'}}})
const response = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok\n'

const sockets = new Set()
const server = net.createServer({allowHalfOpen: true}, (socket) => {
  sockets.add(socket)
  let pending = ''
  socket.on('data', (chunk) => {
    pending += chunk.toString('latin1')
    let end
    while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
      pending = pending.slice(end + 4)
      socket.write(response)
    }
  })
  socket.on('error', () => sockets.delete(socket))
})

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`${server.address().port}\n`)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const socket of sockets) socket.destroy()
    server.close(() => process.exit(0))
  })
}
