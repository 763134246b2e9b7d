// @ts-check
/**
 * numpy's default generator, ``np.random.default_rng(seed).random(n)``, bit for bit: the seed through
 * ``SeedSequence`` (its hash of the seed's 32-bit words into a pool of four, then the state words it
 * draws from the pool), then PCG64 (a 128-bit linear congruential state, XSL-RR output), each double
 * from the top 53 bits of a draw. So the browser draws the same random baseline map as
 * ``resnext.faithfulness`` for the same seed, with no data shipped.
 * @module explain/random
 */

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = 0x2360ed051fc65da44385df649fccf645n;
const [INIT_A, MULT_A, INIT_B, MULT_B] = [0x43b0d7e5, 0x931e8875, 0x8b51f9dd, 0x58f38ded];
const [MIX_MULT_L, MIX_MULT_R] = [0xca01f9dd, 0x4973f715];
const POOL_SIZE = 4;

/**
 * ``SeedSequence(seed).generate_state(4, np.uint64)``.
 * @param {number} seed A non-negative integer (below 2**53).
 * @returns {bigint[]} Four 64-bit words.
 */
export function seedState(seed) {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`The seed must be a non-negative integer; got ${seed}.`);
  // The seed's 32-bit words, least significant first ([0] for 0).
  const entropy = [seed % 2 ** 32];
  for (let rest = Math.floor(seed / 2 ** 32); rest > 0; rest = Math.floor(rest / 2 ** 32)) entropy.push(rest % 2 ** 32);
  let hashConst = INIT_A;
  const hashmix = (/** @type {number} */ value) => {
    value = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    value = Math.imul(value, hashConst) >>> 0;
    return (value ^ (value >>> 16)) >>> 0;
  };
  const mix = (/** @type {number} */ x, /** @type {number} */ y) => {
    const result = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (result ^ (result >>> 16)) >>> 0;
  };
  /** @type {number[]} */
  const pool = [];
  for (let i = 0; i < POOL_SIZE; i++) pool.push(hashmix(i < entropy.length ? entropy[i] : 0));
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  let constant = INIT_B;
  /** @type {number[]} */
  const words = [];
  for (let i = 0; i < 8; i++) {
    let value = (pool[i % POOL_SIZE] ^ constant) >>> 0;
    constant = Math.imul(constant, MULT_B) >>> 0;
    value = Math.imul(value, constant) >>> 0;
    words.push((value ^ (value >>> 16)) >>> 0);
  }
  // Pairs of 32-bit words read as little-endian 64-bit words.
  return [0, 2, 4, 6].map((i) => (BigInt(words[i + 1]) << 32n) | BigInt(words[i]));
}

/** numpy's ``PCG64`` bit generator. */
export class PCG64 {
  /** @param {number} seed As ``np.random.default_rng(seed)``. */
  constructor(seed) {
    const [s0, s1, i0, i1] = seedState(seed);
    this.increment = (((i0 << 64n) | i1) << 1n | 1n) & MASK128;
    this.state = 0n;
    this.step();
    this.state = (this.state + ((s0 << 64n) | s1)) & MASK128;
    this.step();
  }

  /** @private */
  step() {
    this.state = (this.state * PCG_MULTIPLIER + this.increment) & MASK128;
  }

  /** @returns {bigint} The next 64 random bits. */
  next64() {
    this.step();
    const rotation = this.state >> 122n;
    const folded = ((this.state >> 64n) ^ this.state) & MASK64;
    return ((folded >> rotation) | (folded << ((64n - rotation) & 63n))) & MASK64;
  }

  /**
   * Doubles in [0, 1), as ``Generator.random(n)``.
   * @param {number} n
   * @returns {Float64Array}
   */
  random(n) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(this.next64() >> 11n) * 2 ** -53;
    return out;
  }
}
