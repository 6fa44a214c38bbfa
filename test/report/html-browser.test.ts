/**
 * The HTML report in a real headless chromium (Debian's, driven by playwright-core): it renders,
 * logs no error, requests nothing, and every chart is actually drawn. Screenshots land in
 * test-output/ for a person to look at.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import type {Socket} from 'node:net'
import {resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {chromium, type Browser, type Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {BenchReport} from '../../src/bench/types.js'
import {renderBenchHtml, renderTimelineHtml} from '../../src/report/html.js'
import {runCli} from '../helpers/run-cli.js'
import {connect, startTestServer} from '../helpers/test-servers.js'
import {loadMatrix, loadRun, lostClients} from '../helpers/captured-reports.js'

const CHROMIUM = '/usr/bin/chromium'
const OUTPUT = resolve('test-output')
const missing = !existsSync(CHROMIUM) && !process.env.CI
if (missing) console.warn(`skipping the HTML browser test: ${CHROMIUM} is missing (apt-get install chromium); in CI it must run`)

describe.skipIf(missing)('HTML report in headless chromium', () => {
  let browser: Browser

  beforeAll(async () => {
    mkdirSync(OUTPUT, {recursive: true})
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
  })

  afterAll(async () => {
    await browser?.close()
  })

  /** Opens the file with every console error and request recorded; requests other than the file itself fail the test. */
  async function openReport(name: string, html: string): Promise<{page: Page; errors: string[]; requests: string[]}> {
    const file = resolve(OUTPUT, `${name}.html`)
    writeFileSync(file, html)
    const page = await browser.newPage({viewport: {width: 1200, height: 900}})
    const errors: string[] = []
    const requests: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (error) => errors.push(error.message))
    page.on('requestfailed', (request) => errors.push(`failed request ${request.url()}`))
    page.on('request', (request) => requests.push(request.url()))
    await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})
    return {page, errors, requests: requests.filter((url) => url !== pathToFileURL(file).href)}
  }

  /** Each chart: an svg with a real size, and series drawn with non-zero extent. */
  async function expectChartsDrawn(page: Page): Promise<number> {
    const charts = await page.$$eval('figure.chart svg', (svgs) => svgs.map((svg) => {
      const box = svg.getBoundingClientRect()
      const drawn = [...svg.querySelectorAll('path.series, path.area, rect.bar')]
        .map((shape) => shape.getBoundingClientRect())
        .filter((shapeBox) => shapeBox.width > 0 && shapeBox.height > 0)
      const lines = [...svg.querySelectorAll('path.series')].filter((shape) => shape.getBoundingClientRect().width > 0)
      return {width: box.width, height: box.height, drawn: drawn.length, lines: lines.length}
    }))
    expect(charts.length).toBeGreaterThan(0)
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(300)
      expect(chart.height).toBeGreaterThan(150)
      expect(chart.drawn).toBeGreaterThan(0)
      expect(chart.lines).toBeGreaterThanOrEqual(3)
    }
    return charts.length
  }

  const render = (name: string, report: BenchReport) => openReport(name, renderBenchHtml(report))

  it('renders a real single run: verdict, findings, one drawn timeline, no errors, no network', async () => {
    const run = loadRun('lossy-et-accept-once')
    const silent = lostClients(run).length
    const {page, errors, requests} = await render('report-single', {kind: 'single', run})
    await expect(page.locator('.verdict').innerText()).resolves.toContain(`${silent} of ${run.load.connections.length} clients never got a byte`)
    await expect(page.locator('.verdict').innerText()).resolves.toContain('LOST CONNECTIONS')
    // One article per diagnosis (one cause), one heading per symptom it groups.
    expect(await page.locator('article.finding').count()).toBe(run.verdict.diagnoses.length)
    expect(await page.locator('article.finding h4').count()).toBe(run.verdict.diagnoses.reduce((n, d) => n + d.symptoms.length, 0))
    expect(await page.locator('section', {hasText: 'Clients that never got a byte'}).locator('tbody tr').count()).toBe(silent)
    expect(await expectChartsDrawn(page)).toBe(1)
    await page.screenshot({path: resolve(OUTPUT, 'report-single.png'), fullPage: true})
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  it('renders a real matrix: one table row per mode and every run timeline drawn once opened', async () => {
    const matrix = loadMatrix('matrix-small')
    const {page, errors, requests} = await render('report-matrix', {kind: 'matrix', matrix})
    const runs = matrix.rows.reduce((n, r) => n + r.runs, 0)
    const lossy = matrix.rows.reduce((n, r) => n + r.lossyRuns, 0)
    const modes = matrix.rows.filter((r) => r.lossyRuns > 0).length
    await expect(page.locator('.verdict').innerText()).resolves.toContain(`${lossy} of ${runs} runs, in ${modes} of ${matrix.rows.length} modes`)
    expect(await page.locator('table.matrix tbody tr').count()).toBe(matrix.rows.length)
    await page.screenshot({path: resolve(OUTPUT, 'report-matrix.png'), fullPage: true})
    await page.$$eval('details.run', (all) => all.forEach((details) => details.setAttribute('open', '')))
    expect(await expectChartsDrawn(page)).toBe(matrix.runs.length)
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  it('renders a sockets --watch timeline page (a real run\'s samples), which has no responses panel', async () => {
    const run = loadRun('lossy-et-accept-once')
    const html = renderTimelineHtml({
      title: `port ${run.target.port}, ${run.timeline.length} samples`,
      verdict: run.verdict,
      timeline: run.timeline.map((point) => ({...point, completed: 0})),
      notes: ['sampled with ss every 20 ms'],
    })
    const {page, errors, requests} = await openReport('report-watch', html)
    await expect(page.locator('.verdict').innerText()).resolves.toContain(run.verdict.findings[0]!.title)
    expect(await expectChartsDrawn(page)).toBe(1)
    expect(await page.locator('rect.bar').count()).toBe(0)
    await page.screenshot({path: resolve(OUTPUT, 'report-watch.png'), fullPage: true})
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })

  it('renders the report of a real `sockets --watch` on a server that never accepts', async () => {
    const server = await startTestServer('python3', ['test/servers/never-accept.py'])
    const clients: Socket[] = []
    const file = resolve(OUTPUT, 'report-watch-live.html')
    try {
      clients.push(...(await Promise.all([connect(server.port), connect(server.port), connect(server.port)])))
      const result = await runCli(['sockets', '--port', String(server.port), '--watch', '--interval', '100ms', '--duration', '1s',
        '--stuck-after', '500ms', '--report', file])
      expect(result.exitCode, result.stderr).toBe(1)
    } finally {
      for (const client of clients) client.destroy()
      await server.stop()
    }
    const {page, errors, requests} = await openReport('report-watch-live', readFileSync(file, 'utf8'))
    await expect(page.locator('.verdict').innerText()).resolves.toContain(`Accept queue not drained: 3 connections waiting in port ${server.port}`)
    expect(await expectChartsDrawn(page)).toBe(1)
    await page.screenshot({path: resolve(OUTPUT, 'report-watch-live.png'), fullPage: true})
    expect(errors).toEqual([])
    expect(requests).toEqual([])
    await page.close()
  })
})
