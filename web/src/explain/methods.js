// @ts-check
/**
 * Which of the library's explanation methods (``resnext.explain.METHODS``, exported in
 * ``catalog.json``'s ``methods``, by the name ``explain`` takes) this browser runs, and why each other
 * one runs only in the Python app. The one place that says so: the footer's "What runs where" and the
 * manual's table are drawn from it (``where.js``), and a method the library adds without an entry
 * here fails ``test/where.test.js``. Classify's method picker (``pages/explain.js``) reads it too.
 *
 * The gradient methods' graphs (``resnext.export.gradient``) do run in onnxruntime, but the issue's
 * bar is Captum's map to 1e-4, and in float32 they miss it by as much as Captum's own float32 map
 * misses an exact one (``assets/gradient_graphs.json``, drawn in the manual's explanations page): no
 * page offers them until they meet it.
 * @module explain/methods
 */

/**
 * The methods the browser runs. ``gradcam``: the CAM of the last stage, which equals the library's
 * Grad-CAM there (``cam.js``); ``occlusion``: Captum's ``Occlusion`` with the library's window and
 * stride, its images batched through the network's worker (``occlusion.js``).
 * @type {readonly string[]}
 */
export const RUNS = Object.freeze(["gradcam", "occlusion"]);

/**
 * Why each method the browser does not run is the Python app's: one short reason, by the method's name.
 * @type {Readonly<Record<string, string>>}
 */
export const WHY_NOT = Object.freeze({
  guided_gradcam: "it needs a backward pass, which a browser computes only in float32, where its map misses the Python app's by more than 1e-4 (the manual's Explanations page has the figures)",
  integrated_gradients: "it needs a backward pass, which a browser computes only in float32, where its map misses the Python app's by more than 1e-4 (the manual's Explanations page has the figures)",
  deeplift: "it needs a backward pass, which a browser computes only in float32, where its map misses the Python app's by more than 1e-4 (the manual's Explanations page has the figures)",
});
