// @ts-check
/** Reading the explanation fixtures (``tests/export/fixtures_explain.py``): float32 arrays as base64. */

/**
 * @param {string} base64 Little-endian float32 bytes.
 * @returns {Float32Array}
 */
export function floats(base64) {
  const bytes = Buffer.from(base64, "base64");
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * The fixture's stand-in classifier, ``logits = W2 · tanh(W1 · x + b1) + b2``, on a batch.
 * @param {{shape: number[], hidden: number, classes: number, w1: string, b1: string, w2: string, b2: string}} network
 * @returns {(images: Float32Array, count: number) => Float32Array}
 */
export function standIn(network) {
  const [w1, b1, w2, b2] = [network.w1, network.b1, network.w2, network.b2].map(floats);
  const size = network.shape.reduce((a, b) => a * b), { hidden, classes } = network;
  return (images, count) => {
    const logits = new Float32Array(count * classes);
    for (let n = 0; n < count; n++) {
      const x = images.subarray(n * size, (n + 1) * size), h = new Float64Array(hidden);
      for (let j = 0; j < hidden; j++) {
        let sum = 0;
        for (let i = 0; i < size; i++) sum += w1[j * size + i] * x[i];
        h[j] = Math.tanh(sum + b1[j]);
      }
      for (let c = 0; c < classes; c++) {
        let sum = b2[c];
        for (let j = 0; j < hidden; j++) sum += w2[c * hidden + j] * h[j];
        logits[n * classes + c] = sum;
      }
    }
    return logits;
  };
}
