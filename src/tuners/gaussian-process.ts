/**
 * A small Gaussian process regressor, the same model KerasTuner's BayesianOptimization fits with
 * scikit-learn: an isotropic Matern 5/2 kernel (one length scale, fitted by maximizing the log marginal
 * likelihood), `alpha` added to the diagonal, targets normalized to mean 0 / std 1.
 */

/** Matern nu=5/2 correlation at distance r for length scale l. */
export function matern52(r: number, l: number): number {
  const s = (Math.sqrt(5) * r) / l;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

function distance(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** Lower-triangular Cholesky factor of a symmetric positive-definite matrix, or null if it is not. */
export function cholesky(a: number[][]): number[][] | null {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

function forwardSolve(l: number[][], b: number[]): number[] {
  const x = new Array<number>(b.length);
  for (let i = 0; i < b.length; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

function backSolveTransposed(l: number[][], b: number[]): number[] {
  const n = b.length;
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

interface Fitted { lengthScale: number; chol: number[][]; alphaVec: number[]; lml: number }

export class GaussianProcess {
  private x: number[][] = [];
  private yMean = 0;
  private yStd = 1;
  private fitted: Fitted | null = null;

  constructor(private readonly alpha = 1e-4) {}

  get lengthScale(): number {
    return this.fitted?.lengthScale ?? NaN;
  }

  /** Fits to points x (rows in [0,1]^d) and targets y, choosing the length scale by marginal likelihood. */
  fit(x: number[][], y: number[]): this {
    if (x.length === 0 || x.length !== y.length) throw new Error('GaussianProcess.fit needs as many targets as points (at least one).');
    this.x = x.map((r) => [...r]);
    this.yMean = y.reduce((a, b) => a + b, 0) / y.length;
    const variance = y.reduce((a, b) => a + (b - this.yMean) ** 2, 0) / y.length;
    this.yStd = variance > 0 ? Math.sqrt(variance) : 1;
    const yn = y.map((v) => (v - this.yMean) / this.yStd);
    const dist = this.x.map((a) => this.x.map((b) => distance(a, b)));

    const evaluate = (logL: number): Fitted | null => {
      const l = Math.exp(logL);
      const k = dist.map((row, i) => row.map((r, j) => matern52(r, l) + (i === j ? this.alpha : 0)));
      const chol = cholesky(k);
      if (!chol) return null;
      const alphaVec = backSolveTransposed(chol, forwardSolve(chol, yn));
      let lml = -0.5 * yn.reduce((s, v, i) => s + v * alphaVec[i], 0) - 0.5 * yn.length * Math.log(2 * Math.PI);
      for (let i = 0; i < chol.length; i++) lml -= Math.log(chol[i][i]);
      return { lengthScale: l, chol, alphaVec, lml };
    };

    // sklearn bounds the length scale to [1e-5, 1e5]: scan that range in log space, then refine.
    const lo = Math.log(1e-5);
    const hi = Math.log(1e5);
    const steps = 60;
    let best: Fitted | null = null;
    let bestI = 0;
    for (let i = 0; i <= steps; i++) {
      const f = evaluate(lo + ((hi - lo) * i) / steps);
      if (f && (!best || f.lml > best.lml)) {
        best = f;
        bestI = i;
      }
    }
    if (!best) throw new Error('GaussianProcess.fit: the kernel matrix is singular for every length scale (raise alpha).');
    // Golden-section search between the neighbours of the best grid point.
    let a = lo + ((hi - lo) * Math.max(0, bestI - 1)) / steps;
    let b = lo + ((hi - lo) * Math.min(steps, bestI + 1)) / steps;
    const g = (Math.sqrt(5) - 1) / 2;
    for (let it = 0; it < 30; it++) {
      const c = b - g * (b - a);
      const d = a + g * (b - a);
      const fc = evaluate(c);
      const fd = evaluate(d);
      if ((fc?.lml ?? -Infinity) >= (fd?.lml ?? -Infinity)) b = d;
      else a = c;
      for (const f of [fc, fd]) if (f && f.lml > best.lml) best = f;
    }
    this.fitted = best;
    return this;
  }

  /** Posterior mean and standard deviation at a point, in the units of the targets. */
  predict(point: number[]): { mean: number; std: number } {
    const f = this.fitted;
    if (!f) throw new Error('GaussianProcess.predict called before fit.');
    const kStar = this.x.map((xi) => matern52(distance(xi, point), f.lengthScale));
    const mean = kStar.reduce((s, k, i) => s + k * f.alphaVec[i], 0);
    const v = forwardSolve(f.chol, kStar);
    const variance = Math.max(0, 1 - v.reduce((s, vi) => s + vi * vi, 0));
    return { mean: mean * this.yStd + this.yMean, std: Math.sqrt(variance) * this.yStd };
  }
}
