import {execa} from 'execa'

export interface WrkOptions {
  threads: number
  connections: number
  seconds: number
}

/** `wrk -tT -cC -dDs` as printed in tables. */
export function wrkCommand(options: WrkOptions): string {
  return `wrk -t${options.threads} -c${options.connections} -d${options.seconds}s`
}

/** Requests/s of one wrk run; throws when any response was not 2xx/3xx or a socket failed. */
export async function runWrk(url: string, options: WrkOptions): Promise<number> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.seconds}s`, url]
  const {stdout} = await execa('wrk', args, {timeout: (options.seconds + 30) * 1000})
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout)
  if (!rps) throw new Error(`wrk printed no Requests/sec:\n${stdout}`)
  // A fast server answering errors would look like a fast server: refuse the figure.
  if (/Non-2xx|Socket errors/.test(stdout)) throw new Error(`wrk saw errors on ${url}:\n${stdout}`)
  return Number(rps[1])
}
