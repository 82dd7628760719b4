#!/usr/bin/env python3
"""numpy/scipy reference timings for bench/linalg.ts: the same data and sizes; prints one JSON object per run."""
import argparse
import gzip
import json
import resource
import struct
import sys
import time

import numpy as np


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_idx(path):
    raw = gzip.open(path, "rb").read() if path.endswith(".gz") else open(path, "rb").read()
    n, h, w = struct.unpack(">III", raw[4:16])
    return np.frombuffer(raw, np.uint8, offset=16).reshape(n, h * w)


def fmnist(args):
    """load + mean + covariance (1/N) + full eigh, float64 (np.cov) and float32-product variants."""
    out = {}
    t0 = time.perf_counter()
    x = load_idx(args.path)
    t1 = time.perf_counter()
    xf = x.astype(np.float64) / 127.5 - 1.0
    mu = xf.mean(axis=0)
    c = np.cov(xf, rowvar=False, bias=True)
    t2 = time.perf_counter()
    w, v = np.linalg.eigh(c)
    t3 = time.perf_counter()
    out["f64"] = {"load": t1 - t0, "cov": t2 - t1, "eig": t3 - t2, "total": t3 - t0}
    out["eigvals"] = w[::-1].tolist()
    out["mean0"] = float(mu.mean())
    del xf, c, v
    t0 = time.perf_counter()
    x = load_idx(args.path)
    t1 = time.perf_counter()
    x32 = x.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    mu32 = x32.mean(axis=0, dtype=np.float64)
    xc = x32 - mu32.astype(np.float32)
    c32 = (xc.T @ xc).astype(np.float64) / x.shape[0]
    t2 = time.perf_counter()
    np.linalg.eigh(c32)
    t3 = time.perf_counter()
    out["f32"] = {"load": t1 - t0, "cov": t2 - t1, "eig": t3 - t2, "total": t3 - t0}
    out["peakRssMB"] = peak_rss_mb()
    return out


def eigh_file(args):
    a = np.fromfile(args.path, dtype="<f8").reshape(args.n, args.n)
    t0 = time.perf_counter()
    w, v = np.linalg.eigh(a)
    t1 = time.perf_counter()
    return {"eig": t1 - t0, "eigvals": w[::-1].tolist(), "peakRssMB": peak_rss_mb()}


def image_covariance(h, w, ch):
    """C[a,b] = exp(-|p_a - p_b|/3) * (1 if same channel else 0.9), CHW order (same formula as bench/linalg_data.ts)."""
    yy, xx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    y = yy.ravel().astype(np.float64)
    x = xx.ravel().astype(np.float64)
    k = np.exp(-np.sqrt((y[:, None] - y[None, :]) ** 2 + (x[:, None] - x[None, :]) ** 2) / 3.0)
    cc = np.full((ch, ch), 0.9)
    np.fill_diagonal(cc, 1.0)
    return np.kron(cc, k)


def topk(args):
    try:
        import scipy.linalg as sl
    except ImportError:
        return {"skipped": "scipy is not installed"}
    c = image_covariance(args.h, args.w, args.c)
    n = c.shape[0]
    t0 = time.perf_counter()
    w, v = sl.eigh(c, subset_by_index=[n - args.k, n - 1], overwrite_a=True, check_finite=False)
    t1 = time.perf_counter()
    return {"eig": t1 - t0, "eigvals": w[::-1].tolist(), "driver": "evr", "peakRssMB": peak_rss_mb()}


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fmnist")
    f.add_argument("path")
    e = sub.add_parser("eigh")
    e.add_argument("path")
    e.add_argument("n", type=int)
    t = sub.add_parser("topk")
    for name in ("h", "w", "c", "k"):
        t.add_argument(name, type=int)
    args = p.parse_args()
    res = {"fmnist": fmnist, "eigh": eigh_file, "topk": topk}[args.cmd](args)
    res["numpy"] = np.__version__
    json.dump(res, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
