// The table of analyses the compute process (and the CLI) can run, by job kind.
import type { JobKind, JobMap } from '../../protocol/jobs';
import { buildModelCard } from '../model/modelCard';
import { JobContext } from './context';
import { compareScores } from './compare';
import { exportStats } from './exportStats';
import { fitDataset } from './fit';
import { previewDataset } from './preview';
import { probeDenoiser } from './probe';

export type Analysis<K extends JobKind> = (params: JobMap[K]['params'], ctx: JobContext) => Promise<JobMap[K]['result']>;

export const ANALYSES: { [K in JobKind]: Analysis<K> } = {
  modelCard: async (p) => buildModelCard(p.file, p.config),
  probeDenoiser,
  datasetPreview: previewDataset,
  fit: fitDataset,
  exportStats: async (p) => exportStats(p),
  compare: compareScores,
};
