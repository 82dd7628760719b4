// Linear-algebra benchmark: Fashion-MNIST Gaussian fit, full eigh at D=784/3072, top-512 at D=12288, side by side with numpy/scipy.
import * as fs from 'node:fs';
import { eigAccuracy } from '../src/engine/tensor/checks';
import { CovarianceAccumulator } from '../src/engine/tensor/covariance';
import { eigh, EighResult } from '../src/engine/tensor/eigh';
import { OrtLinalg } from '../src/engine/tensor/ortexec';
import { topkEig } from '../src/engine/tensor/topk';
import { FMNIST, imageCovariance, loadIdx, numpyAvailable, randomCovariance, RssSampler, runNumpy, tempFile, vmHwmMiB, writeSyntheticIdx } from './linalg_data';

/** One goal's outcome. */
export interface GoalResult {
  goal: string;
  ours: number;
  numpy?: number;
  ratio?: number;
  met?: boolean;
  note?: string;
}

const s = (x: number): string => `${x.toFixed(3)} s`;
const round = (t: Record<string, number>): string => JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v * 1000) / 1000])));
const worstRel = (a: ArrayLike<number>, b: ArrayLike<number>, k: number): number => {
  let w = 0;
  for (let i = 0; i < k; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / Math.abs(b[0]));
  return w;
};

interface FitRun {
  load: number;
  cov: number;
  eig: number;
  total: number;
  result: EighResult;
  covariance: Float64Array;
  peakMiB: number;
}

// load (gunzip + IDX parse) + streamed mean/covariance (x/127.5 − 1, 1/N) + full eigendecomposition. Batches are the
// uint8 pixels (mapped inside the graph) or, with `float32`, converted to float32 in JS first.
async function fmnistFit(file: string, linalg: OrtLinalg, float32 = false): Promise<FitRun> {
  const rss = new RssSampler();
  const t0 = performance.now();
  const img = loadIdx(file);
  const t1 = performance.now();
  const d = img.dim;
  const acc = new CovarianceAccumulator({ dim: d, linalg, expectedRows: img.count, ...(float32 ? {} : { uint8: { scale: 1 / 127.5, offset: -1 } }) });
  const chunk = acc.chunkSize;
  const buf = new Float32Array(float32 ? chunk * d : 0);
  const lut = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);
  for (let r = 0; r < img.count; r += chunk) {
    const take = Math.min(chunk, img.count - r);
    const src = img.pixels.subarray(r * d, (r + take) * d);
    if (float32) {
      for (let i = 0; i < src.length; i++) buf[i] = lut[src[i]];
      await acc.add(buf, take);
    } else await acc.add(src, take);
    rss.sample();
  }
  const cov = await acc.finalize();
  const t2 = performance.now();
  rss.sample();
  const result = await eigh(cov.cov, d, { linalg });
  const t3 = performance.now();
  return { load: (t1 - t0) / 1e3, cov: (t2 - t1) / 1e3, eig: (t3 - t2) / 1e3, total: (t3 - t0) / 1e3, result, covariance: cov.cov, peakMiB: rss.stop() };
}

/**
 * Runs the benchmark, writing lines through `report`; returns the goals. Env: BENCH_QUICK=1 (skip D=3072/12288),
 * BENCH_THREADS, BENCH_REPEAT, BENCH_CASES (comma list of fmnist, eig3072, topk; default all).
 */
export async function runLinalgBench(report: (line: string) => void): Promise<GoalResult[]> {
  const quick = process.env.BENCH_QUICK === '1';
  const threads = Number(process.env.BENCH_THREADS ?? 0);
  const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 2));
  const linalg = new OrtLinalg({ threads });
  const py = numpyAvailable();
  const cases = new Set((process.env.BENCH_CASES ?? 'fmnist,eig3072,topk').split(',').map((x) => x.trim()));
  const goals: GoalResult[] = [];
  report(`linalg bench: ORT threads ${threads || 'default'}, ${repeat} run(s) per case (first run cold), numpy ${py ? 'on' : 'off (no numpy at /usr/bin/python3)'}${quick ? ', BENCH_QUICK' : ''}`);

  // 1. Fashion-MNIST fit.
  if (cases.has('fmnist')) {
    let file = FMNIST;
    if (!fs.existsSync(file)) {
      file = tempFile('synthetic-idx3-ubyte');
      writeSyntheticIdx(file);
      report(`  ${FMNIST} not found: using synthetic 60000×784 data (${file})`);
    }
    const runs: FitRun[] = [];
    for (let i = 0; i < repeat; i++) runs.push(await fmnistFit(file, linalg));
    const hwm = vmHwmMiB();
    const viaF32 = await fmnistFit(file, linalg, true);
    const first = runs[0];
    const d = Math.round(Math.sqrt(first.covariance.length));
    const a784 = await eigAccuracy(first.covariance, d, first.result.values, first.result.vectors, d, linalg);
    for (const [i, r] of runs.entries())
      report(`FMNIST fit D=${d}, uint8 batches, run ${i + 1}${i === 0 ? ' (cold)' : ''}: load ${s(r.load)}, mean+cov ${s(r.cov)}, eig ${s(r.eig)} ${round(r.result.timings)} → total ${s(r.total)}`);
    report(`  (same fit fed float32 batches converted in JS: load ${s(viaF32.load)}, mean+cov ${s(viaF32.cov)}, eig ${s(viaF32.eig)} → ${s(viaF32.total)})`);
    report(`  eig accuracy: residual ${a784.residual.toExponential(2)}, orthogonality ${a784.orthogonality.toExponential(2)}`);
    report(`  peak RSS of the first fit: sampled ${first.peakMiB.toFixed(0)} MiB; kernel high-water mark ${hwm?.toFixed(0) ?? '?'} MiB (process, incl. onnxruntime)`);
    const g1: GoalResult = { goal: 'FMNIST fit (load+mean+cov+full eig) ≤ 1.0× numpy', ours: first.total, note: 'cold first run' };
    if (py) {
      const refs = Array.from({ length: repeat }, () => runNumpy(['fmnist', file]));
      const ok = refs.filter((r) => !r.error);
      if (ok.length === 0) report(`  numpy: failed (${refs[0].error})`);
      else {
        const best = (key: 'f64' | 'f32'): Record<string, number> => ok.map((r) => r[key] as Record<string, number>).reduce((a, b) => (b.total < a.total ? b : a));
        const f64 = best('f64');
        const f32 = best('f32');
        report(`  numpy float64 np.cov (best of ${ok.length}): load ${s(f64.load)}, cov ${s(f64.cov)}, eigh ${s(f64.eig)} → ${s(f64.total)}`);
        report(`  numpy float32 Xcᵀ·Xc SYRK (best of ${ok.length}): load ${s(f32.load)}, cov ${s(f32.cov)}, eigh ${s(f32.eig)} → ${s(f32.total)}`);
        report(`  numpy peak RSS ${(ok[0].peakRssMB as number).toFixed(0)} MiB; our eigenvalues vs numpy float64: worst |Δλ|/λ₁ ${worstRel(first.result.values, ok[0].eigvals as number[], d).toExponential(2)}`);
        Object.assign(g1, {
          numpy: f64.total,
          ratio: first.total / f64.total,
          met: first.total <= f64.total,
          note:
            `cold first run vs np.cov in float64 (same or better accuracy). Against numpy's float32 SYRK path (${s(f32.total)}) the ratio is ` +
            `${(first.total / f32.total).toFixed(2)}×: ORT runs a full GEMM (2ND², SYRK half) and our eig takes ${s(first.eig)} vs LAPACK ${s(f32.eig)}`,
        });
      }
    }
    goals.push(g1);
  }

  // 2. Full eigendecomposition at D=3072 (A = YᵀY/m, Y Gaussian): the default solver (the system LAPACK where one
  // loads) and the built-in one that machines without LAPACK run, each against numpy in the same run.
  if (!quick && cases.has('eig3072')) {
    const n = 3072;
    const a = await randomCovariance(n, linalg);
    let numpySeconds: number | undefined;
    let numpyValues: number[] | undefined;
    if (py) {
      const f = tempFile('a3072.f64');
      fs.writeFileSync(f, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      const refs = Array.from({ length: repeat }, () => runNumpy(['eigh', f, String(n)])).filter((x) => !x.error);
      fs.rmSync(f);
      if (refs.length === 0) report('  numpy: failed');
      else {
        numpySeconds = Math.min(...refs.map((x) => x.eig as number));
        numpyValues = refs[0].eigvals as number[];
        report(`full eig D=${n}: numpy eigh best of ${refs.length}: ${s(numpySeconds)}`);
      }
    }
    for (const method of ['auto', 'dc'] as const) {
      let best: EighResult | undefined;
      let dt = Infinity;
      for (let i = 0; i < repeat; i++) {
        const t = performance.now();
        const r = await eigh(a, n, { linalg, method });
        const el = (performance.now() - t) / 1e3;
        report(`full eig D=${n} (${r.solver}) run ${i + 1}: ${s(el)} ${round(r.timings)}`);
        if (el < dt) [dt, best] = [el, r];
      }
      const r = best!;
      const acc3 = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
      report(`  residual ${acc3.residual.toExponential(2)}, orthogonality ${acc3.orthogonality.toExponential(2)}${numpyValues ? `; worst |Δλ|/λ₁ vs numpy ${worstRel(r.values, numpyValues, n).toExponential(2)}` : ''}`);
      const tm = r.timings;
      const why =
        r.method === 'dc'
          ? `. Tridiagonalisation ${s(tm.tridiagonalise)}: one memory-bound matrix–vector product per column over the full trailing matrix through ORT (LAPACK's dsytrd reads half of it, mostly from cache); divide & conquer ${s(tm['divide&conquer'])}; back-transform ${s(tm['back-transform'])}`
          : '';
      const goal = method === 'auto' ? `full eig D=3072 ≤ 1.5× numpy eigh (${r.method === 'lapack' ? 'system LAPACK' : 'no system LAPACK: built-in'})` : 'full eig D=3072 ≤ 1.5× numpy eigh, built-in solver (machines without a system LAPACK)';
      goals.push({ goal, ours: dt, note: `best of ${repeat}${why}`, ...(numpySeconds ? { numpy: numpySeconds, ratio: dt / numpySeconds, met: dt <= 1.5 * numpySeconds } : {}) });
      if (method === 'auto' && r.method === 'dc') break; // the built-in solver already ran
    }
  }

  // 3. Top-512 at D=12288 (64×64×3 synthetic image covariance, power-law spectrum).
  if (!quick && cases.has('topk')) {
    const [h, w, ch, k] = [64, 64, 3, 512];
    const n = h * w * ch;
    const c = imageCovariance(h, w, ch);
    const t = performance.now();
    const r = await topkEig(c, n, k, { linalg });
    const dt = (performance.now() - t) / 1e3;
    report(`top-${k} D=${n}: ${s(dt)} (block ${r.blockSize}, ${r.iterations} its) ${round(r.timings)}; max Ritz residual/λ₁ ${r.maxResidual.toExponential(2)}; λ_tail ${r.tail.toExponential(3)}`);
    const g3: GoalResult = { goal: 'top-512 at D=12288 faster than scipy eigh(subset_by_index)', ours: dt };
    if (py) {
      const ref = runNumpy(['topk', String(h), String(w), String(ch), String(k)]);
      if (ref.error || ref.skipped) report(`  scipy: ${ref.error ?? ref.skipped}`);
      else {
        const te = ref.eig as number;
        const ev = ref.eigvals as number[];
        const rel = Array.from(r.values, (v, i) => Math.abs(v - ev[i]) / ev[i]).sort((x, y) => x - y);
        report(`  scipy eigh subset ${s(te)}; eigenvalue rel. error median ${rel[k >> 1].toExponential(1)}, worst ${rel[k - 1].toExponential(1)}`);
        Object.assign(g3, { numpy: te, ratio: dt / te, met: dt < te, note: `one run each; worst eigenvalue error ${rel[k - 1].toExponential(1)} (tail; more iterations tighten it)` });
      }
    }
    goals.push(g3);
  }

  report('goals:');
  for (const g of goals) {
    const verdict = g.met === undefined ? 'NOT COMPARED (no numpy)' : g.met ? 'MET' : 'NOT MET';
    report(`  [${verdict}] ${g.goal}: ours ${s(g.ours)}${g.numpy !== undefined ? `, reference ${s(g.numpy)}, ratio ${g.ratio!.toFixed(2)}×` : ''}${g.note ? ` — ${g.note}` : ''}`);
  }
  await linalg.release();
  return goals;
}

if (require.main === module) {
  runLinalgBench((line) => console.log(line)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
