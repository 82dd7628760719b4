// Accuracy measures of an eigendecomposition: relative residual ‖CV − VΛ‖_F/‖C‖_F and orthogonality ‖VᵀV − I‖_F.
import { frobenius } from './dense';
import { defaultLinalg, OrtLinalg } from './ortexec';

/** Residual and orthogonality of k eigenpairs (vectors: n×k row-major columns; values: k). */
export interface EigAccuracy {
  residual: number;
  orthogonality: number;
  /** Largest ‖C v_j − λ_j v_j‖ / ‖C‖_F over the pairs. */
  maxPairResidual: number;
}

/** Computes both measures with ORT float64 GEMMs (C·V and VᵀV). */
export async function eigAccuracy(
  c: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
  k = values.length,
  linalg: OrtLinalg = defaultLinalg(),
): Promise<EigAccuracy> {
  const cv = await linalg.matmul(c.subarray(0, n * n), n, n, vectors.subarray(0, n * k), k);
  const colRes = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    for (let j = 0; j < k; j++) {
      const x = cv[o + j] - vectors[o + j] * values[j];
      colRes[j] += x * x;
    }
  }
  let res = 0;
  let maxPair = 0;
  for (let j = 0; j < k; j++) {
    res += colRes[j];
    maxPair = Math.max(maxPair, colRes[j]);
  }
  const vtv = await linalg.gemmTN(vectors.subarray(0, n * k), n, k, vectors.subarray(0, n * k), k);
  for (let j = 0; j < k; j++) vtv[j * k + j] -= 1;
  const cn = frobenius(c, n * n) || 1;
  return { residual: Math.sqrt(res) / cn, orthogonality: frobenius(vtv), maxPairResidual: Math.sqrt(maxPair) / cn };
}
