// `npm run bench`: every benchmark in one run on this machine, goals as ratios against reference runs side by side.
import { runCompareBench } from './compare';
import { runFitBench } from './fit';
import { GoalResult, runLinalgBench } from './linalg';

async function main(): Promise<void> {
  const report = (line: string): void => console.log(line);
  report(`bench on ${process.platform} ${process.arch}, Node ${process.version}, ${require('node:os').cpus().length} CPUs${process.env.BENCH_QUICK === '1' ? ' (BENCH_QUICK=1)' : ''}`);
  // BENCH_ONLY=linalg,fit,compare runs a subset (the fit bench reuses the numpy figure of the linalg bench when it ran).
  const only = new Set((process.env.BENCH_ONLY ?? 'linalg,fit,compare').split(',').map((x) => x.trim()));
  const goals: GoalResult[] = [];
  if (only.has('linalg')) goals.push(...(await runLinalgBench(report)));
  if (only.has('fit')) goals.push(...(await runFitBench(report, goals.find((g) => g.goal.startsWith('FMNIST fit'))?.numpy)));
  if (only.has('compare')) goals.push(...(await runCompareBench(report)));
  report('\nsummary of goals (ratio = ours / reference):');
  for (const g of goals) {
    const status = g.met === undefined ? 'n/a' : g.met ? 'met' : 'NOT MET';
    report(`  [${status}] ${g.goal}: ${g.ours.toFixed(3)} vs ${g.numpy === undefined ? '—' : g.numpy.toFixed(3)}${g.ratio === undefined ? '' : ` (${g.ratio.toFixed(2)}×)`}${g.note ? ` — ${g.note}` : ''}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
