import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const base = process.argv[2]; const path = process.argv[3] || '/';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-swiftshader', '--use-angle=swiftshader',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'] });
const ctx = await browser.newContext({ viewport: path.startsWith('/embed') ? { width: 800, height: 600 } : { width: 1280, height: 800 } });
const page = await ctx.newPage();
await browser.startTracing(page, { path: '/tmp/front-work/trace.json', categories: ['devtools.timeline', 'v8.execute', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'gpu', 'loading'] });
await page.goto(base + path);
await page.waitForFunction(() => window.territoiresFirstIdle, null, { timeout: 60000 });
const idle = await page.evaluate(() => [window.territoiresFirstIdle, performance.timeOrigin]);
await browser.stopTracing();
await browser.close();
const tr = JSON.parse(readFileSync('/tmp/front-work/trace.json', 'utf8'));
const ev = tr.traceEvents ?? tr;
const names = {};
for (const e of ev) if (e.name === 'thread_name') names[e.pid + ':' + e.tid] = e.args.name;
// navigation start
const nav = ev.find((e) => e.name === 'navigationStart' || e.name === 'NavigationTiming');
const t0 = Math.min(...ev.filter((e) => e.name === 'navigationStart').map((e) => e.ts));
console.log('idle', Math.round(idle[0]));
// top-level tasks per thread, bucketed per 500ms
const per = {};
for (const e of ev) {
  if (e.ph !== 'X' || !e.dur) continue;
  if (!['RunTask', 'ThreadControllerImpl::RunTask'].includes(e.name)) continue;
  const k = names[e.pid + ':' + e.tid] || (e.pid + ':' + e.tid);
  const b = Math.floor((e.ts - t0) / 500e3);
  if (b < 0 || b > 40) continue;
  per[k] ??= {}; per[k][b] = (per[k][b] || 0) + e.dur / 1000;
}
for (const [k, v] of Object.entries(per)) {
  const tot = Object.values(v).reduce((a, b) => a + b, 0);
  if (tot < 50) continue;
  console.log(k.padEnd(28), Math.round(tot), 'ms |', Object.entries(v).map(([b, d]) => `${b * 0.5}s:${Math.round(d)}`).join(' '));
}
// biggest function-call/evaluate events
const big = ev.filter((e) => e.ph === 'X' && e.dur > 40e3 && ['FunctionCall', 'EvaluateScript', 'v8.compileModule', 'v8.evaluateModule', 'ParseHTML', 'UpdateLayoutTree', 'Layout', 'Paint', 'ResourceReceivedData', 'v8.compile', 'V8.CompileCode', 'MajorGC', 'MinorGC', 'v8.run', 'TimerFire', 'FireAnimationFrame', 'ParseAuthorStyleSheet', 'V8.GC_MARK_COMPACTOR'].includes(e.name));
for (const e of big.sort((a, b) => a.ts - b.ts)) console.log(`  ${Math.round((e.ts - t0) / 1000)} +${Math.round(e.dur / 1000)} ${names[e.pid + ':' + e.tid] ?? e.tid} ${e.name} ${e.args?.data?.url?.split('/').pop() ?? e.args?.data?.functionName ?? ''}`);
