// A·Bᵀ for row-major float32 matrices through onnxruntime (Gemm transB), without materializing Bᵀ.
import { GraphBuilder } from '../onnx/graph';
import { OrtLinalg } from '../tensor/ortexec';

/** C[m×n] = A[m×k]·B[n×k]ᵀ. */
export async function gemmNT(linalg: OrtLinalg, a: Float32Array, m: number, k: number, b: Float32Array, n: number): Promise<Float32Array> {
  const [c] = await linalg.run(
    'gemmNT:float32',
    () => new GraphBuilder('gemmNT').input('A', 'float32', ['m', 'k']).input('B', 'float32', ['n', 'k']).node('Gemm', ['A', 'B'], ['C'], { transB: 1 }).output('C', 'float32', ['m', 'n']),
    { A: { type: 'float32', data: a, dims: [m, k] }, B: { type: 'float32', data: b, dims: [n, k] } },
    ['C'],
  );
  return c as Float32Array;
}
