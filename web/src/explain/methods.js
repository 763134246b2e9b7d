// @ts-check
/**
 * Which of the library's explanation methods (``resnext.explain.METHODS``, exported in
 * ``catalog.json``'s ``methods``, by the name ``explain`` takes) this browser runs, and why each other
 * one runs only in the Python app. The one place that says so: the footer's "What runs where" and the
 * manual's table are drawn from it (``where.js``), and a method the library adds without an entry
 * here fails ``test/where.test.js``.
 * @module explain/methods
 */

/**
 * The methods the browser runs. ``gradcam``: the CAM of the last stage, which equals the library's
 * Grad-CAM there (``cam.js``).
 * @type {readonly string[]}
 */
export const RUNS = Object.freeze(["gradcam"]);

/**
 * Why each method the browser does not run is the Python app's: one short reason, by the method's name.
 * @type {Readonly<Record<string, string>>}
 */
export const WHY_NOT = Object.freeze({
  guided_gradcam: "it needs guided backpropagation, a backward pass the browser does not run yet",
  integrated_gradients: "it needs the input gradient of many images, a backward pass the browser does not run yet",
  deeplift: "it needs a backward pass by DeepLIFT's rescale rule, which the browser does not run yet",
  occlusion: "it runs the network once per patch position, and the browser does not offer it yet",
});
