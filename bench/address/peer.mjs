// Normalizes each line of the input file with @geolonia/normalize-japanese-addresses and
// prints one JSON object per line, then the elapsed time on standard error.
import fs from 'node:fs'
import { pathToFileURL } from 'node:url'
import { config, normalize } from '@geolonia/normalize-japanese-addresses'

const [inputs, api] = process.argv.slice(2)
config.japaneseAddressesApi = pathToFileURL(api).toString().replace(/\/$/, '') + '/ja'
const lines = fs.readFileSync(inputs, 'utf8').split('\n').filter(Boolean)
// Warm the peer's caches on the whole input once, as myna's gazetteer is loaded before timing.
for (const l of lines) await normalize(l)
const start = process.hrtime.bigint()
const out = []
for (const l of lines) out.push(await normalize(l))
const ns = Number(process.hrtime.bigint() - start)
for (const r of out) process.stdout.write(JSON.stringify({ pref: r.pref ?? '', city: r.city ?? '', town: r.town ?? '', addr: r.addr ?? '', other: r.other ?? '', level: r.level }) + '\n')
process.stderr.write(`elapsed_ns ${ns}\n`)
