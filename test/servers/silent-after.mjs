#!/usr/bin/env node
// Answers HTTP keep-alive requests on the first --answer N connections it accepts, and accepts
// every later connection but never reads from it or answers: the client side of a lost
// connection, without depending on a real accept-queue race.
// Usage: silent-after.mjs [--port N] [--host ADDR] [--answer N]. Prints one JSON "listening"
// line with the bound port, runs until SIGTERM/SIGINT.
import net from 'node:net'
import {parseArgs} from 'node:util'

const {values} = parseArgs({
  options: {
    port: {type: 'string', default: '0'},
    host: {type: 'string', default: '127.0.0.1'},
    answer: {type: 'string', default: '90'},
  },
})
const answerCount = Number(values.answer)
const response = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\nok\n')
const headEnd = Buffer.from('\r\n\r\n')

let accepted = 0
const sockets = new Set()
// pauseOnConnect: silent sockets are never read, so their request stays in the kernel (Recv-Q).
const server = net.createServer({pauseOnConnect: true}, (socket) => {
  sockets.add(socket)
  socket.on('close', () => sockets.delete(socket))
  socket.on('error', () => {})
  accepted++
  if (accepted <= answerCount) answerRequests(socket)
})

function answerRequests(socket) {
  socket.resume()
  let pending = Buffer.alloc(0)
  socket.on('data', (chunk) => {
    pending = Buffer.concat([pending, chunk])
    let end
    while ((end = pending.indexOf(headEnd)) >= 0) {
      pending = pending.subarray(end + 4)
      socket.write(response)
    }
  })
}

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`${JSON.stringify({event: 'listening', port: server.address().port, pid: process.pid})}\n`)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const socket of sockets) socket.destroy()
    server.close(() => process.exit(0))
  })
}
