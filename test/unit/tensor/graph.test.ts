// The in-memory ONNX graph builder: models it writes run in onnxruntime and give the right numbers.
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../../src/engine/onnx/graph';
import { readFields } from '../../../src/engine/onnx/wire';
import { OrtLinalg } from '../../../src/engine/tensor/ortexec';

describe('onnx graph builder', () => {
  const linalg = new OrtLinalg({ threads: 1 });
  after(() => linalg.release());

  it('writes ir_version 8, opset 17 and a graph', () => {
    const bytes = new GraphBuilder('g').input('X', 'float32', ['n', 2]).node('Relu', ['X'], ['Y']).output('Y', 'float32', ['n', 2]).toBytes();
    const top = [...readFields(bytes)];
    assert.deepEqual(
      top.map((f) => f.field),
      [1, 8, 7],
    );
    assert.equal(top[0].num, 8);
    const opset = [...readFields(top[1].bytes)];
    assert.equal(opset.find((f) => f.field === 2)?.num, 17);
  });

  it('runs MatMul, Gemm(transA), Sub, Mul and Add with float32 and float64 initializers and dynamic dims', async () => {
    // A: 3×2, B: 3×4 → Gemm(Aᵀ·B) 2×4; then (G − bias) * scale + MatMul(P, Q).
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from({ length: 12 }, (_, i) => i - 3);
    const bias = Float64Array.from([0.5, -1, 2, 0]);
    const p = Float64Array.from([1, -1, 0.5, 2]);
    const q = Float64Array.from([2, 0, 1, 1, -1, 3, 0, 1]);
    const g = new GraphBuilder('t')
      .input('A', 'float64', ['k', 'm'])
      .input('B', 'float64', ['k', 'n'])
      .input('P', 'float64', ['m', 2])
      .initializer('bias', 'float64', [1, 4], bias)
      .initializer('scale', 'float64', [], [3])
      .initializer('Q', 'float64', [2, 4], q)
      .node('Gemm', ['A', 'B'], ['G'], { transA: 1 })
      .node('Sub', ['G', 'bias'], ['S'])
      .node('Mul', ['S', 'scale'], ['M'])
      .node('MatMul', ['P', 'Q'], ['PQ'])
      .node('Add', ['M', 'PQ'], ['Y'])
      .output('Y', 'float64', ['m', 'n']);
    const [y] = await linalg.run('test-graph', () => g, {
      A: { type: 'float64', data: a, dims: [3, 2] },
      B: { type: 'float64', data: b, dims: [3, 4] },
      P: { type: 'float64', data: p, dims: [2, 2] },
    }, ['Y']);
    const expect = new Float64Array(8);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[k * 2 + i] * b[k * 4 + j];
        let pq = 0;
        for (let k = 0; k < 2; k++) pq += p[i * 2 + k] * q[k * 4 + j];
        expect[i * 4 + j] = (s - bias[j]) * 3 + pq;
      }
    assert.deepEqual(Array.from(y), Array.from(expect));
  });

  it('float32 graphs, float attributes and negative integer attributes (Gemm alpha, Softmax axis=-1)', async () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const g = new GraphBuilder('f')
      .input('X', 'float32', ['n', 3])
      .initializer('W', 'float32', [3, 3], Float32Array.from([1, 0, 0, 0, 2, 0, 0, 0, -1]))
      .node('Gemm', ['X', 'W'], ['G'], { alpha: { f: 0.5 } })
      .node('Softmax', ['G'], ['Y'], { axis: -1 })
      .output('G', 'float32', ['n', 3])
      .output('Y', 'float32', ['n', 3]);
    const [gm, y] = await linalg.run('test-graph-f32', () => g, { X: { type: 'float32', data: x, dims: [2, 3] } }, ['G', 'Y']);
    assert.deepEqual(Array.from(gm), [0.5, 2, -1.5, 2, 5, -3]);
    for (let r = 0; r < 2; r++) {
      const row = Array.from(gm.subarray(r * 3, r * 3 + 3));
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(y[r * 3 + c] - Math.exp(row[c]) / z) < 1e-6);
    }
  });

  it('OrtLinalg.matmul and gemmTN agree with plain loops in float64', async () => {
    const m = 7;
    const k = 5;
    const n = 3;
    const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const c = await linalg.matmul(a, m, k, b, n);
    const at = Float64Array.from({ length: k * m }, (_, i) => a[(i % m) * k + Math.floor(i / m)]);
    const c2 = await linalg.gemmTN(at, k, m, b, n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
        assert.ok(Math.abs(c[i * n + j] - s) < 1e-14);
        assert.ok(Math.abs(c2[i * n + j] - s) < 1e-14);
      }
  });
});
