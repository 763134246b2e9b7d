// @ts-check
/**
 * The library's folds, drawn as it draws them: scikit-learn's ``StratifiedKFold(shuffle=True,
 * random_state=seed)`` shuffles with NumPy's legacy ``RandomState`` (Mersenne Twister MT19937
 * seeded by ``init_genrand``, bounded integers by masked rejection). Ported here bit for bit, a
 * seed gives the browser the very folds, and inner folds, that the library uses.
 * @module transfer/random
 */

/** NumPy's legacy ``RandomState(seed)``: MT19937 and the integers ``shuffle`` draws. */
export class RandomState {
  /** @param {number} seed An integer in [0, 2^32). */
  constructor(seed) {
    this.state = new Uint32Array(624);
    this.index = 624;
    let s = seed >>> 0;
    for (let i = 0; i < 624; i++) {
      this.state[i] = s;
      // 1812433253 * (s ^ (s >>> 30)) + i + 1, modulo 2^32
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
  }

  /** @returns {number} The next 32-bit output. */
  next() {
    const mt = this.state;
    if (this.index >= 624) {
      for (let i = 0; i < 624; i++) {
        const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
        mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * An integer in [0, max], as NumPy's ``random_interval`` draws it (max below 2^32).
   * @param {number} max
   * @returns {number}
   */
  interval(max) {
    if (max === 0) return 0;
    let mask = max;
    for (const shift of [1, 2, 4, 8, 16]) mask |= mask >>> shift;
    mask >>>= 0;
    let value;
    do value = (this.next() & mask) >>> 0; while (value > max);
    return value;
  }

  /**
   * Shuffle in place, as ``RandomState.shuffle`` does a one-dimensional array.
   * @template {{length: number, [i: number]: number}} T
   * @param {T} items
   * @returns {T}
   */
  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/**
 * Stratified k-fold test sets, as scikit-learn's ``StratifiedKFold(splits, shuffle=True,
 * random_state=seed).split`` gives them (the training set of a fold is every other index).
 * @param {ArrayLike<number>} labels Class of each item.
 * @param {number} splits Folds (at most the smallest class's count).
 * @param {number} seed
 * @returns {number[][]} Each fold's test indices, ascending.
 */
export function stratifiedFolds(labels, splits, seed) {
  // Classes numbered in the order they first appear, as scikit-learn encodes them here.
  /** @type {Map<number, number>} */
  const code = new Map();
  const encoded = Array.from(labels, (y) => {
    if (!code.has(y)) code.set(y, code.size);
    return /** @type {number} */ (code.get(y));
  });
  const classes = code.size;
  const sorted = [...encoded].sort((a, b) => a - b);
  // allocation[i][k]: how many of class k fold i tests (every splits-th item of the sorted labels)
  const allocation = Array.from({ length: splits }, (_, i) => {
    const counts = new Array(classes).fill(0);
    for (let j = i; j < sorted.length; j += splits) counts[sorted[j]]++;
    return counts;
  });
  const rng = new RandomState(seed);
  const fold = new Int32Array(encoded.length);
  for (let k = 0; k < classes; k++) {
    const forClass = new Int32Array(allocation.reduce((n, counts) => n + counts[k], 0));
    let at = 0;
    for (let i = 0; i < splits; i++) for (let c = 0; c < allocation[i][k]; c++) forClass[at++] = i;
    rng.shuffle(forClass);
    at = 0;
    for (let j = 0; j < encoded.length; j++) if (encoded[j] === k) fold[j] = forClass[at++];
  }
  return Array.from({ length: splits }, (_, i) => encoded.flatMap((_, j) => (fold[j] === i ? [j] : [])));
}

/**
 * The indices not in ``test``, ascending.
 * @param {number} n All indices are [0, n).
 * @param {ArrayLike<number>} test
 * @returns {number[]}
 */
export function complement(n, test) {
  const out = new Uint8Array(n);
  for (let i = 0; i < test.length; i++) out[test[i]] = 1;
  const rest = [];
  for (let i = 0; i < n; i++) if (!out[i]) rest.push(i);
  return rest;
}

/**
 * The few-shot curve's training images: for each number of shots below the smallest class,
 * ``repeats`` draws of that many images of each class. The library draws them with NumPy's
 * ``Generator``; these come from ``RandomState(seed)``, so they are other draws of the same kind.
 * @param {ArrayLike<number>} labels
 * @param {number[]} shots
 * @param {number} repeats
 * @param {number} seed
 * @returns {Map<number, number[][]>} shots → each draw's image indices.
 */
export function fewShotDraws(labels, shots, repeats, seed) {
  const rng = new RandomState(seed);
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const members = classes.map((k) => Array.from(labels).flatMap((y, i) => (y === k ? [i] : [])));
  const smallest = Math.min(...members.map((m) => m.length));
  /** @type {Map<number, number[][]>} */
  const draws = new Map();
  for (const s of [...new Set(shots)].sort((a, b) => a - b)) {
    if (s >= smallest) continue;
    draws.set(s, Array.from({ length: repeats }, () => members.flatMap((m) => rng.shuffle([...m]).slice(0, s))));
  }
  return draws;
}
