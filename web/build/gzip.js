// A Vite plugin: after the build, writes FILE.gz (gzip -9) beside every
// text file of dist that is worth compressing, so the server can send it
// as is (it picks FILE.gz when the browser accepts gzip).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync, constants } from 'node:zlib'

const TEXT = /\.(js|mjs|css|html|svg|json|txt|map)$/

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) walk(p, out)
    else out.push(p)
  }
  return out
}

export function gzipFiles() {
  let outDir = 'dist'
  return {
    name: 'xuefen-gzip',
    apply: 'build',
    configResolved(cfg) {
      outDir = cfg.build.outDir
    },
    closeBundle() {
      for (const file of walk(outDir, [])) {
        if (!TEXT.test(file)) continue
        const data = readFileSync(file)
        if (data.length < 256) continue
        const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
        if (gz.length < data.length) writeFileSync(file + '.gz', gz)
      }
    },
  }
}
