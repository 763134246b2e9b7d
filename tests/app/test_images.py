"""The current image (resnext_app.images): decoded once, always shown, never lost to a bad file."""

import io

from PIL import Image

import resnext
from tests.apptest import bars, expected_top5, no_failure, pick, upload_image, working_on


def _png(size, colour=(90, 140, 60)):
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def test_each_page_shows_the_image_it_works_on(app):
    upload_image(app)
    assert working_on(app) == ["**Working on chelsea.png**  \n451×300 px · 240.5 kB · uploaded"]
    app.switch_page("pages/side_by_side.py").run()
    no_failure(app)
    assert working_on(app) == ["**Working on chelsea.png**  \n451×300 px · 240.5 kB · uploaded"]
    assert app.segmented_control(key="sbs_source").value == "Upload"  # where it came from


def test_a_refused_image_keeps_the_last_good_one_and_names_the_file(app):
    upload_image(app)
    before = bars(app)
    upload_image(app, "sliver.png", _png((20000, 10)))
    errors = [e.value for e in app.error]
    assert errors == ["sliver.png is too elongated (20000x10) to classify; crop it closer to the subject. "
                      "Still showing chelsea.png."]
    assert bars(app) == before and "chelsea.png" in working_on(app)[0]


def test_switching_source_clears_the_old_sources_error(app):
    upload_image(app)
    upload_image(app, "notes.jpg", b"not an image", "image/jpeg")
    assert len(app.error) == 1 and "notes.jpg" in app.error[0].value
    app.segmented_control(key="classify_source").set_value("Camera").run()
    assert not app.error and "chelsea.png" in working_on(app)[0]
    app.segmented_control(key="classify_source").set_value("Upload").run()
    assert not app.error and bars(app) == [expected_top5("swsl_resnext50_32x4d")]


def test_an_upload_is_decoded_once_whatever_follows(app, monkeypatch):
    calls = []
    real = resnext.load_image
    monkeypatch.setattr(resnext, "load_image", lambda *a, **k: calls.append(a) or real(*a, **k))
    upload_image(app)
    pick(app, "classify_variant", "ssl_resnext50_32x4d")
    app.selectbox(key="cam_layer").set_value("layer3").run()
    app.switch_page("pages/side_by_side.py").run()
    no_failure(app)
    assert len(bars(app)) == 3 and len(calls) == 1


def test_the_browser_gets_a_display_sized_copy(app):
    buf = io.BytesIO()
    Image.new("RGB", (4032, 3024), (200, 120, 40)).save(buf, format="JPEG", quality=90)
    upload_image(app, "phone.jpg", buf.getvalue(), "image/jpeg")
    no_failure(app)
    image = app.session_state["image"]
    display = Image.open(io.BytesIO(image.display))
    assert (image.width, image.height) == (4032, 3024)
    assert display.format == "JPEG" and max(display.size) == 640 and display.size[0] / display.size[1] == 4032 / 3024


def test_a_photo_whose_orientation_cannot_be_read_says_so(app, monkeypatch):
    from PIL import ImageOps

    monkeypatch.setattr(ImageOps, "exif_transpose", lambda img, **k: (_ for _ in ()).throw(SyntaxError("bad")))
    upload_image(app, "rocket.jpg", mime="image/jpeg")
    assert not app.exception and not app.error
    assert any(w.value.startswith(r"rocket.jpg\: its EXIF orientation could not be read") for w in app.warning)
