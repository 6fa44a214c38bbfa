import {execa} from 'execa'

export interface TcpSocket {
  state: string
  recvQ: number
  sendQ: number
  local: string
  peer: string
}

/** Every TCP socket whose local port is `port` (the server side), as `ss -tan` shows them. */
export async function listServerSockets(port: number): Promise<TcpSocket[]> {
  const {stdout} = await execa('ss', ['-tanH', `sport = :${port}`])
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [state, recvQ, sendQ, local, peer] = line.trim().split(/\s+/)
      return {state: state!, recvQ: Number(recvQ), sendQ: Number(sendQ), local: local!, peer: peer!}
    })
}
