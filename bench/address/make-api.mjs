// Writes the files @geolonia/normalize-japanese-addresses reads (api/ja.json and
// api/ja/{pref}/{city}.json) from myna's gazetteer, so the peer runs offline on the same
// municipality and town list myna uses. Coordinates are not in our data and do not affect
// normalization; they are set to 0.
import fs from 'node:fs'
import path from 'node:path'

const [tsv, out] = process.argv.slice(2)
const lines = fs.readFileSync(tsv, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))
const rows = lines.map((l) => {
  const [code, pref, county, city, kana, towns] = l.split('\t')
  return { code, pref, county, city, kana, towns: towns ? towns.split('|') : [] }
})
const designated = new Set(rows.filter((r) => r.city.endsWith('市') && r.towns.length === 0).map((r) => r.pref + r.city))
const KANJI = ['', '一', '二', '三', '四', '五', '六', '七', '八', '九', '十']
const prefs = new Map()
for (const r of rows) {
  if (!prefs.has(r.pref)) {
    prefs.set(r.pref, { code: Number(r.code.slice(0, 2)) * 10000, pref: r.pref, pref_k: '', pref_r: '', point: [0, 0], cities: [] })
  }
  if (r.towns.length === 0 && designated.has(r.pref + r.city)) continue // wards carry the towns
  const m = r.city.match(/^(.+?市)(.+区)$/)
  const city = m && designated.has(r.pref + m[1])
    ? { code: Number(r.code.slice(0, 5)), city: m[1], city_k: '', city_r: '', ward: m[2], ward_k: '', ward_r: '', point: [0, 0] }
    : { code: Number(r.code.slice(0, 5)), city: r.city, city_k: r.kana, city_r: '', point: [0, 0] }
  if (r.county) Object.assign(city, { county: r.county, county_k: '', county_r: '' })
  prefs.get(r.pref).cities.push(city)
  const name = (r.county || '') + city.city + (city.ward || '')
  const machiaza = []
  let id = 0
  for (const t of r.towns) {
    const chome = t.endsWith('*')
    const oaza = chome ? t.slice(0, -1) : t
    machiaza.push({ machiaza_id: String(id++).padStart(7, '0'), oaza_cho: oaza })
    if (chome) {
      for (let n = 1; n <= 10; n++) machiaza.push({ machiaza_id: String(id++).padStart(7, '0'), oaza_cho: oaza, chome: `${KANJI[n]}丁目`, chome_n: n })
    }
  }
  const dir = path.join(out, 'ja', r.pref)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ meta: { updated: 0 }, data: machiaza }))
}
fs.writeFileSync(path.join(out, 'ja.json'), JSON.stringify({ meta: { updated: 0 }, data: [...prefs.values()] }))
