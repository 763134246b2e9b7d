"""Streamlit helpers shared by the pages: widgets, cached calls into `resnext`, figures.

The library knows nothing of Streamlit; this package is the only glue. One module per page
concern, named like the library part it wraps where it wraps one:

- `explain` (resnext.explain): method pickers with their cost, maps, faithfulness lines;
- `bulk` (resnext.bulk): the Batch page's uploads, zips, results and accuracy tables;
- `published` (resnext.published): the tables of "What the extra data buys";
- `transfer` (resnext.transfer): the Your classes page's study and heads;
- `stress` (resnext.stress): the Stress test page's sweep, the Batch page's calibration and
  corruption tables, their costs and charts;
- `links` (the page's state in the URL, "Copy link"), `priority` (first answers before slow work);
- `models` (the classifier cache), `pickers` (variant pickers, the model card), `images` (the
  current image), `gallery`, `tables` and `charts` (catalog and prediction tables, figures),
  `feedback` (failures sized to their place), `timing`, `layout` (pages and navigation).

Modules that the comparison page imports (`tables`, `charts`, `feedback`, `published`) do not
import torch.
"""
