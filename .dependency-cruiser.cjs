// The folders of src/ in layers, top first: a folder may import its own layer's files and the
// layers below it, never one above (npm test runs this through test/layout.test.ts).
const layers = [
  ['commands', 'hooks'],
  ['cli'],
  ['report', 'metrics'],
  ['bench', 'watch'],
  ['diagnose'],
  ['targets', 'load'],
  ['probes'],
  ['process'],
]
const folder = (names) => `^src/(${names.join('|')})/`
const forbidden = layers.slice(1).map((layer, index) => ({
  name: `no-upward-import-from-${layer.join('-')}`,
  comment: `${layer.join(', ')} must not import from a layer above it`,
  severity: 'error',
  from: {path: folder(layer)},
  to: {path: folder(layers.slice(0, index + 1).flat())},
}))
// Folders of one layer do not import each other either (peers stay independent).
for (const layer of layers.filter((names) => names.length > 1)) {
  for (const name of layer) {
    forbidden.push({
      name: `no-peer-import-${name}`,
      comment: `${name} must not import its peers (${layer.join(', ')})`,
      severity: 'error',
      from: {path: folder([name])},
      to: {path: folder(layer.filter((other) => other !== name))},
    })
  }
}
forbidden.push({name: 'no-circular', severity: 'error', from: {}, to: {circular: true}})

module.exports = {
  forbidden,
  options: {
    doNotFollow: {path: 'node_modules'},
    tsConfig: {fileName: 'tsconfig.json'},
    tsPreCompilationDeps: true,
  },
}
