// @ts-check
/**
 * The little linear algebra the transfer study needs, in float64 on row-major typed arrays: Gram
 * matrices and the eigendecomposition of a symmetric matrix (Householder tridiagonalisation, then
 * the implicit QL method: EISPACK's tred2 and tql2). An SVD of an (n, D) matrix is the
 * eigendecomposition of its (n, n) or (D, D) Gram matrix, whichever is smaller: the study has
 * fewer images than features, so this is an n-by-n problem.
 * @module transfer/linalg
 */

/** @typedef {Float32Array | Float64Array} Floats */

/**
 * Rows of a row-major matrix as a new float64 matrix.
 * @param {Floats} x (n, d) row-major.
 * @param {number} d Columns.
 * @param {ArrayLike<number>} rows The rows to take, in order.
 * @returns {Float64Array} (rows.length, d).
 */
export function takeRows(x, d, rows) {
  const out = new Float64Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i] * d;
    for (let j = 0; j < d; j++) out[i * d + j] = x[from + j];
  }
  return out;
}

/**
 * A times B transposed: every row of A against every row of B.
 * @param {Floats} a (n, d).
 * @param {number} n
 * @param {Floats} b (m, d).
 * @param {number} m
 * @param {number} d
 * @returns {Float64Array} (n, m).
 */
export function timesTransposed(a, n, b, m, d) {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0, ai = i * d, bj = j * d; k < d; k++) s += a[ai + k] * b[bj + k];
      out[i * m + j] = s;
    }
  }
  return out;
}

/**
 * X X' of an (n, d) matrix: each pair of rows once.
 * @param {Floats} x
 * @param {number} n
 * @param {number} d
 * @returns {Float64Array} (n, n).
 */
export function gram(x, n, d) {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0, a = i * d, b = j * d; k < d; k++) s += x[a + k] * x[b + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * X' X of an (n, d) matrix.
 * @param {Floats} x
 * @param {number} n
 * @param {number} d
 * @returns {Float64Array} (d, d).
 */
export function transposedTimes(x, n, d) {
  const out = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const row = r * d;
    for (let i = 0; i < d; i++) {
      const v = x[row + i];
      if (v === 0) continue;
      for (let j = i; j < d; j++) out[i * d + j] += v * x[row + j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) out[i * d + j] = out[j * d + i];
  return out;
}

/**
 * The eigenvalues and eigenvectors of a symmetric matrix, largest eigenvalue first.
 * @param {Float64Array} a (n, n) symmetric, row-major; not modified.
 * @param {number} n
 * @returns {{values: Float64Array, vectors: Float64Array}} ``vectors`` is (n, n) row-major with
 *   the eigenvectors as columns (column k belongs to ``values[k]``), orthonormal.
 */
export function symmetricEigen(a, n) {
  const v = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: v };
  tridiagonalise(v, d, e, n);
  const rows = transpose(v, n); // the QL sweeps rotate eigenvectors: rows keep them contiguous
  diagonalise(rows, d, e, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[j] - d[i] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((from, k) => {
    values[k] = d[from];
    for (let i = 0; i < n; i++) vectors[i * n + k] = rows[from * n + i];
  });
  return { values, vectors };
}

/**
 * @param {Float64Array} a (n, n) @param {number} n @returns {Float64Array} its transpose
 */
function transpose(a, n) {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

/**
 * Householder reduction to a tridiagonal matrix (EISPACK's tred2): ``d`` its diagonal, ``e`` its
 * subdiagonal, ``v`` the accumulated transformations.
 * @param {Float64Array} v @param {Float64Array} d @param {Float64Array} e @param {number} n
 */
function tridiagonalise(v, d, e, n) {
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[j * n + i] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[k * n + j] * d[k];
          e[k] += v[k * n + j] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[k * n + j] -= f * e[k] + g * d[k];
        d[j] = v[(i - 1) * n + j];
        v[i * n + j] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1] * v[k * n + j];
        for (let k = 0; k <= i; k++) v[k * n + j] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j];
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/**
 * The implicit QL method on the tridiagonal matrix (EISPACK's tql2): eigenvalues into ``d``,
 * eigenvectors into ``v``'s rows (``v`` holds the transformations as rows on entry).
 * @param {Float64Array} v @param {Float64Array} d @param {Float64Array} e @param {number} n
 */
function diagonalise(v, d, e, n) {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      for (let iteration = 0; iteration < 100; iteration++) {
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0, a = i * n, b = a + n; k < n; k++) {
            h = v[b + k];
            v[b + k] = s * v[a + k] + c * h;
            v[a + k] = c * v[a + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
        if (!(Math.abs(e[l]) > eps * tst1)) break;
      }
    }
    d[l] += f;
    e[l] = 0;
  }
}
