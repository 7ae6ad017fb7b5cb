// One cold load of a page under Chromium's tracing, summed per thread from
// navigation to the map's first idle: CPU time and wall time of the main
// thread, MapLibre's workers, the GPU process (software WebGL). CPU time
// depends less on the machine's load than wall time.
//   node static/test/trace.mjs <base URL> [path]    (TRACE_FILE=trace.json)
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const base = process.argv[2]; const path = process.argv[3] || '/';
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
const ctx = await browser.newContext({ viewport: path.startsWith('/embed') ? { width: 800, height: 600 } : { width: 1280, height: 800 } });
const page = await ctx.newPage();
await browser.startTracing(page, { path: process.env.TRACE_FILE || 'trace.json', categories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'gpu', 'loading'] });
await page.goto(base + path);
await page.waitForFunction(() => window.territoiresFirstIdle, null, { timeout: 60000 });
const idle = await page.evaluate(() => [window.territoiresFirstIdle, performance.timeOrigin]);
await browser.stopTracing();
await browser.close();
const tr = JSON.parse(readFileSync(process.env.TRACE_FILE || 'trace.json', 'utf8'));
const ev = tr.traceEvents ?? tr;
const names = {};
for (const e of ev) if (e.name === 'thread_name') names[e.pid + ':' + e.tid] = e.args.name;
// The page's time origin, in trace microseconds.
const nav = ev.filter((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL?.startsWith(base)).map((e) => e.ts);
const t0 = nav.length ? Math.max(...nav) : Math.min(...ev.filter((e) => e.name === 'navigationStart').map((e) => e.ts));
console.log('idle', Math.round(idle[0]));
// CPU time (tdur) and wall time (dur) of top-level tasks per thread, from
// navigation to the first idle: a measure that depends less on the load.
const end = t0 + idle[0] * 1000;
const per = {};
for (const e of ev) {
  if (e.ph !== 'X' || !e.dur || e.ts < t0 || e.ts > end) continue;
  if (!['ThreadControllerImpl::RunTask', 'RunTask'].includes(e.name)) continue;
  const k = (names[e.pid + ':' + e.tid] || 'thread').replace(/\d+$/, '');
  per[k] ??= { cpu: 0, wall: 0, n: 0 };
  per[k].cpu += (e.tdur ?? 0) / 1000; per[k].wall += e.dur / 1000; per[k].n++;
}
for (const [k, v] of Object.entries(per).sort((a, b) => b[1].cpu - a[1].cpu)) {
  if (v.wall < 20) continue;
  console.log(`  ${k.padEnd(26)} cpu ${String(Math.round(v.cpu)).padStart(5)} ms  wall ${String(Math.round(v.wall)).padStart(5)} ms  (${v.n} tasks)`);
}
