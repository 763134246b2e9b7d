// @ts-check
/**
 * The explanations' worker: one long explanation (``job.js``, which says what it hears and says) per
 * worker, so that nothing but the network's batches passes through the page. The page ends it
 * (``terminate``) when the job is done or given up (``run.js``).
 * @module explain/worker
 */

import { serve } from "./job.js";

serve(/** @type {import("./job.js").Scope} */ (/** @type {unknown} */ (globalThis)));
