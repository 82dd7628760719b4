// Linear-algebra benchmark: Fashion-MNIST Gaussian fit, full eigh at D=784/3072, top-512 at D=12288, side by side with numpy/scipy.
import * as fs from 'node:fs';
import { eigAccuracy } from '../src/engine/tensor/checks';
import { CovarianceAccumulator } from '../src/engine/tensor/covariance';
import { eigh } from '../src/engine/tensor/eigh';
import { OrtLinalg } from '../src/engine/tensor/ortexec';
import { topkEig } from '../src/engine/tensor/topk';
import {
  FMNIST,
  imageCovariance,
  loadIdx,
  numpyAvailable,
  randomCovariance,
  RssSampler,
  runNumpy,
  tempFile,
  vmHwmMiB,
  writeSyntheticIdx,
} from './linalg_data';

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
const worstRel = (a: ArrayLike<number>, b: ArrayLike<number>, k: number): number => {
  let w = 0;
  for (let i = 0; i < k; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / Math.abs(b[0]));
  return w;
};

/** Runs the benchmark, writing human-readable lines through `report`; returns the goals. BENCH_QUICK=1 skips D=3072/12288. */
export async function runLinalgBench(report: (line: string) => void): Promise<GoalResult[]> {
  const quick = process.env.BENCH_QUICK === '1';
  const threads = Number(process.env.BENCH_THREADS ?? 0);
  const linalg = new OrtLinalg({ threads });
  const py = numpyAvailable();
  const goals: GoalResult[] = [];
  report(`linalg bench: ORT threads ${threads || 'default'}, numpy reference ${py ? 'on' : 'off (no numpy at /usr/bin/python3)'}${quick ? ', BENCH_QUICK' : ''}`);

  // 1. Fashion-MNIST fit: load + mean + covariance (1/N) + full eigendecomposition (x/127.5 − 1 scale).
  let file = FMNIST;
  if (!fs.existsSync(file)) {
    file = tempFile('synthetic-idx3-ubyte');
    writeSyntheticIdx(file);
    report(`  ${FMNIST} not found: using synthetic 60000×784 data (${file})`);
  }
  const rss = new RssSampler();
  const t0 = performance.now();
  const img = loadIdx(file);
  const tLoad = performance.now();
  const d = img.dim;
  const acc = new CovarianceAccumulator({ dim: d, linalg, expectedRows: img.count });
  const chunk = acc.chunkSize;
  const buf = new Float32Array(chunk * d);
  for (let r = 0; r < img.count; r += chunk) {
    const take = Math.min(chunk, img.count - r);
    const src = img.pixels.subarray(r * d, (r + take) * d);
    for (let i = 0; i < src.length; i++) buf[i] = src[i] / 127.5 - 1;
    await acc.add(buf, take);
    rss.sample();
  }
  const cov = await acc.finalize();
  const tCov = performance.now();
  rss.sample();
  const eig = await eigh(cov.cov, d, { linalg });
  const tEig = performance.now();
  const peak = rss.stop();
  const hwm = vmHwmMiB();
  const fit = (tEig - t0) / 1000;
  const a784 = await eigAccuracy(cov.cov, d, eig.values, eig.vectors, d, linalg);
  report(`FMNIST fit N=${img.count} D=${d}: load ${s((tLoad - t0) / 1000)}, mean+cov ${s((tCov - tLoad) / 1000)}, eig ${s((tEig - tCov) / 1000)} → total ${s(fit)}`);
  report(`  eig phases ${JSON.stringify(roundAll(eig.timings))}; residual ${a784.residual.toExponential(2)}, orthogonality ${a784.orthogonality.toExponential(2)}`);
  report(`  peak RSS: sampled ${peak.toFixed(0)} MiB, kernel high-water mark ${hwm?.toFixed(0) ?? '?'} MiB (includes onnxruntime)`);
  const g1: GoalResult = { goal: 'FMNIST fit (load+mean+cov+full eig) ≤ 1.0× numpy', ours: fit };
  if (py) {
    const ref = runNumpy(['fmnist', file]);
    if (ref.error) report(`  numpy: failed (${ref.error})`);
    else {
      const f64 = ref.f64 as Record<string, number>;
      const f32 = ref.f32 as Record<string, number>;
      const ev = ref.eigvals as number[];
      report(`  numpy float64 (np.cov): load ${s(f64.load)}, cov ${s(f64.cov)}, eigh ${s(f64.eig)} → ${s(f64.total)}; ratio ours/numpy ${(fit / f64.total).toFixed(2)}×`);
      report(`  numpy float32 (Xcᵀ·Xc SYRK): load ${s(f32.load)}, cov ${s(f32.cov)}, eigh ${s(f32.eig)} → ${s(f32.total)}; ratio ${(fit / f32.total).toFixed(2)}×`);
      report(`  numpy peak RSS ${(ref.peakRssMB as number).toFixed(0)} MiB; eigenvalues vs numpy float64: worst |Δλ|/λ₁ ${worstRel(eig.values, ev, d).toExponential(2)}`);
      Object.assign(g1, { numpy: f64.total, ratio: fit / f64.total, met: fit <= f64.total, note: `vs np.cov float64; vs the float32 SYRK path the ratio is ${(fit / f32.total).toFixed(2)}×` });
    }
  }
  goals.push(g1);

  // 2. Full eigendecomposition at D=3072 (A = YᵀY/m, Y Gaussian).
  if (!quick) {
    const n = 3072;
    const a = await randomCovariance(n, linalg);
    const t = performance.now();
    const r = await eigh(a, n, { linalg });
    const dt = (performance.now() - t) / 1000;
    const acc3 = await eigAccuracy(a, n, r.values, r.vectors, n, linalg);
    report(`full eig D=${n}: ${s(dt)} ${JSON.stringify(roundAll(r.timings))}; residual ${acc3.residual.toExponential(2)}, orthogonality ${acc3.orthogonality.toExponential(2)}`);
    const g2: GoalResult = { goal: 'full eig D=3072 ≤ 1.5× numpy eigh', ours: dt };
    if (py) {
      const f = tempFile('a3072.f64');
      fs.writeFileSync(f, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      const ref = runNumpy(['eigh', f, String(n)]);
      fs.rmSync(f);
      if (ref.error) report(`  numpy: failed (${ref.error})`);
      else {
        const te = ref.eig as number;
        report(`  numpy eigh ${s(te)}; ratio ${(dt / te).toFixed(2)}×; worst |Δλ|/λ₁ ${worstRel(r.values, ref.eigvals as number[], n).toExponential(2)}`);
        Object.assign(g2, { numpy: te, ratio: dt / te, met: dt <= 1.5 * te });
      }
    }
    goals.push(g2);
  }

  // 3. Top-512 at D=12288 (64×64×3 synthetic image covariance, power-law spectrum).
  if (!quick) {
    const [h, w, ch, k] = [64, 64, 3, 512];
    const n = h * w * ch;
    const c = imageCovariance(h, w, ch);
    const t = performance.now();
    const r = await topkEig(c, n, k, { linalg });
    const dt = (performance.now() - t) / 1000;
    report(`top-${k} D=${n}: ${s(dt)} (block ${r.blockSize}, ${r.iterations} its) ${JSON.stringify(roundAll(r.timings))}; max Ritz residual/λ₁ ${r.maxResidual.toExponential(2)}; λ_tail ${r.tail.toExponential(3)}`);
    const g3: GoalResult = { goal: 'top-512 at D=12288 faster than scipy eigh(subset_by_index)', ours: dt };
    if (py) {
      const ref = runNumpy(['topk', String(h), String(w), String(ch), String(k)]);
      if (ref.error || ref.skipped) report(`  scipy: ${ref.error ?? ref.skipped}`);
      else {
        const te = ref.eig as number;
        const ev = ref.eigvals as number[];
        const rel = Array.from(r.values, (v, i) => Math.abs(v - ev[i]) / ev[i]).sort((x, y) => x - y);
        report(`  scipy eigh subset ${s(te)}; ratio ${(dt / te).toFixed(2)}×; eigenvalue rel. error median ${rel[k >> 1].toExponential(1)}, worst ${rel[k - 1].toExponential(1)} (λ_${k})`);
        Object.assign(g3, { numpy: te, ratio: dt / te, met: dt < te });
      }
    }
    goals.push(g3);
  }

  report('goals:');
  for (const g of goals) {
    const verdict = g.met === undefined ? 'not compared (no numpy)' : g.met ? 'MET' : 'NOT MET';
    report(`  [${verdict}] ${g.goal}: ours ${s(g.ours)}${g.numpy !== undefined ? `, reference ${s(g.numpy)}, ratio ${g.ratio!.toFixed(2)}×` : ''}${g.note ? ` (${g.note})` : ''}`);
  }
  await linalg.release();
  return goals;
}

function roundAll(t: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v * 1000) / 1000]));
}

if (require.main === module) {
  runLinalgBench((line) => console.log(line)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
