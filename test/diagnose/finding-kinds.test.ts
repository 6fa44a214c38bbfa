import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {defaultFailOn, findingKinds} from '../../src/bench/fail-on.js'
import {findingKindTable} from '../../src/diagnose/types.js'
import {causeKinds} from '../../src/diagnose/cause-kinds.js'

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

// A new finding kind is one row of findingKindTable; these fail until the schema and README follow.
describe('the finding kinds table is the one source', () => {
  const kinds = findingKindTable.map((row) => row.kind)

  it('gives --fail-on its list and its default', () => {
    expect(findingKinds).toEqual(kinds)
    expect(defaultFailOn).toEqual(findingKindTable.filter((row) => row.failsByDefault).map((row) => row.kind))
  })

  it('matches the JSON schema enum', () => {
    const schema = JSON.parse(read('docs/bench-report.schema.json'))
    expect([...schema.definitions.finding.properties.kind.enum].sort()).toEqual([...kinds].sort())
  })

  it("matches the README's table of findings and its default --fail-on", () => {
    const readme = read('README.md')
    const table = readme.slice(readme.indexOf('## How to read each finding'), readme.indexOf('### One diagnosis per cause'))
    const rows = [...table.matchAll(/^\| [^|]*\(`([a-z]+-[a-z-]+)`\) \|/gm)].map((match) => match[1])
    expect([...rows].sort()).toEqual([...kinds].sort())
    expect(readme).toContain(`the default is\n\`${defaultFailOn.join(',')}\``)
  })
})

// A new cause kind is one entry of causeKindTable; these fail until the schema and README follow.
describe('the cause kinds table is the one source', () => {
  it('matches the JSON schema enum and the README table of causes', () => {
    const schema = JSON.parse(read('docs/bench-report.schema.json'))
    expect([...schema.definitions.cause.properties.kind.enum].sort()).toEqual([...causeKinds].sort())
    const readme = read('README.md')
    const table = readme.slice(readme.indexOf('The cause kinds (JSON'), readme.indexOf("server's reactor map"))
    // Rows after the header: "| name (`kind`) | ..."
    const rows = [...table.matchAll(/^\| [^|]*\(`([a-z-]+)`\) \|/gm)].map((match) => match[1]).slice(1)
    expect([...rows].sort()).toEqual([...causeKinds].sort())
  })
})
