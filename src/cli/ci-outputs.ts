import {appendFile, writeFile} from 'node:fs/promises'
import {resolve} from 'node:path'
import type {GateDecision} from '../bench/fail-on.js'
import type {BenchReport} from '../bench/types.js'
import {renderJunit} from '../report/junit.js'
import {renderSummaryMarkdown} from '../report/summary-markdown.js'
import {checkWritable} from './check-writable.js'

/** bench's CI outputs: --summary FILE.md (default $GITHUB_STEP_SUMMARY) and --junit FILE.xml. */
export interface CiOutputFlags {
  summary?: string
  junit?: string
}

interface Output {
  path: string
  flag: string
  /** GitHub's step summary file is shared by a job's steps: append to it, as GitHub expects. */
  append: boolean
}

function outputs(flags: CiOutputFlags, env: NodeJS.ProcessEnv): {summary: Output | null; junit: Output | null} {
  const stepSummary = env.GITHUB_STEP_SUMMARY?.trim() ? env.GITHUB_STEP_SUMMARY : undefined
  const summaryPath = flags.summary ?? stepSummary
  return {
    summary:
      summaryPath === undefined
        ? null
        : {path: summaryPath, flag: flags.summary === undefined ? '$GITHUB_STEP_SUMMARY' : '--summary', append: stepSummary !== undefined && resolve(summaryPath) === resolve(stepSummary)},
    junit: flags.junit === undefined ? null : {path: flags.junit, flag: '--junit', append: false},
  }
}

/** Before the run: each path must be writable (a run of minutes should not end in a typo). */
export async function checkCiOutputs(flags: CiOutputFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  for (const output of Object.values(outputs(flags, env))) if (output !== null) await checkWritable(output.path, output.flag)
}

/** After the run: the Markdown summary and the JUnit file, agreeing with the gate's decision. */
export async function writeCiOutputs(flags: CiOutputFlags, report: BenchReport, gate: GateDecision, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const {summary, junit} = outputs(flags, env)
  const ciGate = {failing: gate.failing, exitCode: gate.exitCode}
  if (summary !== null) await (summary.append ? appendFile : writeFile)(summary.path, renderSummaryMarkdown(report, ciGate))
  if (junit !== null) await writeFile(junit.path, renderJunit(report, ciGate))
}
