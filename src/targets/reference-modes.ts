/**
 * The reference server's modes, one row per mode flag: the one place that gives each its C
 * option, default, allowed values, help text and words. The oclif flags of `bench` and `server`,
 * the C arguments, the default mode and the description all come from here. A new mode flag is
 * a row here plus its handling in reference-server/main.c.
 */
import {Flags} from '@oclif/core'
import type {ReferenceServerMode} from './server-events.js'

type ModeName = keyof ReferenceServerMode

interface ChoiceRow {
  values: readonly string[]
  default: string
  summary: string
}

interface NumberRow {
  min: number
  /** The C server's own limit (reference-server/main.c). */
  max: number
  default: number
  summary: string
}

export const referenceModeTable = {
  trigger: {values: ['et', 'lt'], default: 'lt', summary: 'Edge- or level-triggered epoll.'},
  threads: {min: 0, max: 256, default: 0, summary: 'I/O threads (0: the main loop serves too).'},
  accept: {values: ['once', 'drain'], default: 'drain', summary: 'One accept per wakeup, or until EAGAIN.'},
  read: {values: ['once', 'drain'], default: 'drain', summary: 'One read per wakeup, or until EAGAIN.'},
  backlog: {min: 1, max: 65_535, default: 128, summary: 'Listen backlog.'},
  protocol: {values: ['http', 'echo'], default: 'http', summary: 'Answer HTTP requests, or echo every byte back.'},
} as const satisfies Record<ModeName, ChoiceRow | NumberRow>

export const modeNames = Object.keys(referenceModeTable) as ModeName[]

export const DEFAULT_MODE: ReferenceServerMode = {
  trigger: referenceModeTable.trigger.default,
  threads: referenceModeTable.threads.default,
  accept: referenceModeTable.accept.default,
  read: referenceModeTable.read.default,
  backlog: referenceModeTable.backlog.default,
  protocol: referenceModeTable.protocol.default,
}

/**
 * The mode flags as oclif flags. `server` gives them defaults; `bench` does not, since there a
 * mode flag is what picks one reference-server mode over the mode matrix. `bench` takes
 * --protocol as a load flag of its own (it also speaks raw) and gives the server its echo mode.
 */
export function referenceModeFlags(options: {withDefaults: boolean; prefix?: string}) {
  const summary = (text: string) => (options.prefix ? `${options.prefix}${text[0]!.toLowerCase()}${text.slice(1)}` : text)
  const choice = (row: ChoiceRow) =>
    options.withDefaults
      ? Flags.string({options: [...row.values], default: row.default, summary: summary(row.summary)})
      : Flags.string({options: [...row.values], summary: summary(row.summary)})
  const number = (row: NumberRow) =>
    options.withDefaults
      ? Flags.integer({min: row.min, max: row.max, default: row.default, summary: summary(row.summary)})
      : Flags.integer({min: row.min, max: row.max, summary: summary(row.summary)})
  const table = referenceModeTable
  return {
    trigger: choice(table.trigger),
    threads: number(table.threads),
    accept: choice(table.accept),
    read: choice(table.read),
    backlog: number(table.backlog),
    protocol: choice(table.protocol),
  }
}

/** A mode from flag values, each missing one at its default. */
export function modeFromFlags(flags: Partial<Record<ModeName, string | number | undefined>>): ReferenceServerMode {
  const pick = <K extends ModeName>(name: K) => (flags[name] ?? DEFAULT_MODE[name]) as ReferenceServerMode[K]
  return {trigger: pick('trigger'), threads: pick('threads'), accept: pick('accept'), read: pick('read'), backlog: pick('backlog'), protocol: pick('protocol')}
}

/** The C server's arguments for a mode: its options are named as the flags are. */
export function modeArgs(mode: ReferenceServerMode): string[] {
  return modeNames.flatMap((name) => (mode[name] === undefined ? [] : [`--${name}`, String(mode[name])]))
}

export function describeMode(mode: ReferenceServerMode, acceptDelayUs = 0): string {
  const trigger = mode.trigger === 'et' ? 'edge-triggered' : 'level-triggered'
  const loops = mode.threads === 0 ? 'main loop serves' : `${mode.threads} I/O thread${mode.threads === 1 ? '' : 's'}`
  const delay = acceptDelayUs > 0 ? `, ${acceptDelayUs} µs per accept` : ''
  const echo = mode.protocol === 'echo' ? ', echo' : ''
  return `${trigger}, ${loops}, accept ${mode.accept}, read ${mode.read}, backlog ${mode.backlog}${delay}${echo}`
}
